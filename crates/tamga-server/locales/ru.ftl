# Консоль Tamga — русский язык. Ключи те же, что в en.ftl (тест проверяет полноту).

language-name = Русский

## Page frame
skip-to-content = Перейти к содержимому
tagline = электронная таможня
nav-label = Разделы
language-label = Язык
logout = Выйти
footer = Tamga — открытая платформа электронной таможни
user-party = участник
user-office = пост
back-home = На начальную страницу
role-trader = декларант
role-officer = инспектор
role-analyst = аналитик рисков
role-auditor = аудитор
role-admin = администратор

## Navigation
nav-my-declarations = Мои декларации
nav-lodge = Подать декларацию
nav-queue = Очередь контроля
nav-declarations = Декларации
nav-dashboard = Панель показателей

## Errors
error-not-found = Не найдено
error-not-found-detail = Такой страницы нет, или она вам недоступна.
error-forbidden = Нет доступа
error-forbidden-detail = Ваша роль не позволяет это действие.
error-csrf = Срок действия формы истёк
error-csrf-detail = Форма отправлена не из этого сеанса. Вернитесь, обновите страницу и повторите.
error-internal = Что-то пошло не так
error-internal-detail = Ошибка записана в журнал. Повторите попытку позже.
error-bad-request = Запрос не может быть обработан
error-bad-request-detail = Вернитесь и попробуйте ещё раз.

## Sign-in
login-title = Вход
login-with-password = По имени пользователя и паролю
login-username = Имя пользователя
login-password = Пароль
login-with-token = Или по API-токену
login-token = API-токен
login-submit = Войти
login-failed = Неверное имя пользователя, пароль или токен.
login-locked = Слишком много неудачных попыток входа. Повторите через { $seconds ->
        [one] { $seconds } секунду
        [few] { $seconds } секунды
        [many] { $seconds } секунд
       *[other] { $seconds } секунды
    }.

## Блокировки (администратор, аудитор)
nav-lockouts = Блокировки
lockouts-title = Блокировки входа
lockouts-intro = Учётные записи и адреса клиентов, заблокированные после повторных неудачных попыток входа или отклонённых API-токенов. Каждая следующая неудача удваивает блокировку, до 15 минут.
lockouts-empty = Блокировок нет.
col-lockout-kind = Что заблокировано
col-lockout-key = Учётная запись или адрес
col-lockout-failures = Неудач
col-lockout-until = До
lockout-kind-account = Учётная запись
lockout-kind-address = Адрес

## Lists
list-title-trader = Мои декларации
list-intro-trader = Декларации, в которых ваша организация — декларант или импортёр.
list-title-office = Декларации моего поста
list-intro-office = Декларации, поданные на ваш таможенный пост.
list-title-all = Все декларации
list-intro-all = Все декларации, сначала новые.
queue-title = Очередь контроля
queue-intro = Декларации вашего поста, отобранные для контроля и ожидающие результата.
filter-label = Отбор деклараций
filter-any = Любой
filter-apply = Применить
list-count = { $n ->
        [one] { $n } декларация
        [few] { $n } декларации
        [many] { $n } деклараций
       *[other] { $n } декларации
    }
list-empty = Подходящих деклараций нет.
pager-label = Страницы
pager-prev = Предыдущая страница
pager-next = Следующая страница
pager-page = Страница { $n } из { $m }
col-id = Декларация
col-lodged = Подана (UTC)
col-type = Тип
col-office = Пост
col-declarant = Декларант
col-status = Статус
col-channel = Коридор
col-balance = К оплате
col-version = Версия

## Code lists
status-lodged = подана
status-under_control = на контроле
status-awaiting_payment = ожидает оплаты
status-released = выпущена
status-refused = отказано
status-invalidated = отозвана
channel-green = зелёный
channel-blue = синий
channel-yellow = жёлтый
channel-red = красный
type-IM = импорт
type-EX = экспорт
type-TR = транзит
mode-0 = не указан
mode-1 = морской
mode-2 = железнодорожный
mode-3 = автомобильный
mode-4 = воздушный
mode-5 = почта
mode-7 = трубопровод, ЛЭП
mode-8 = внутренний водный
mode-9 = своим ходом
tax-duty = пошлина
tax-excise = акциз
tax-vat = НДС
measure-none = нет
measure-documentary_check = документальная проверка
measure-physical_inspection = таможенный досмотр
measure-post_entry_audit = проверка после выпуска
doc-N380 = коммерческий инвойс
doc-N954 = сертификат EUR.1
doc-C085 = фитосанитарный сертификат
event-declaration-lodged = подана
event-declaration-assessed = оценена СУР
event-declaration-released = выпущена
event-declaration-held_for_control = задержана для контроля
event-declaration-awaiting_payment = ожидает оплаты
event-declaration-status_changed = статус изменён
event-declaration-amended = изменена
event-declaration-invalidated = отозвана
event-declaration-refused = отказано
event-control-override_refused = попытка обойти контроль отклонена

## Declaration page
declaration-title = Декларация
back-to-list = ← К списку
notice-lodged = Декларация подана и оценена.
notice-released = Товары выпущены.
section-data = Заявленные сведения
section-items = Товары
section-documents = Документы
section-decision = Решение таможни
decision-next = Следующий шаг
decision-confidential = Основания выбора канала таможня не раскрывает.
next-documentary_check = До выпуска таможня проверит документы: держите их наготове.
next-physical_inspection = Предъявите товары для досмотра в таможенном органе.
next-payment = Уплатите причитающиеся пошлины и налоги или предоставьте обеспечение.
next-none = Ничего: от вас действий не требуется.
section-assessment = Оценка риска
risk-score = Баллы
risk-reason = Основание
risk-fired = Сработавшие профили риска
risk-none-fired = Ни один профиль риска не сработал.
risk-profile = Профиль
risk-measure = Мера
risk-matched = Совпадение
risk-random = Случайный отбор
risk-no-random = Случайный отбор не записан.
random-draw = Выпавшее число
random-fraction = Доля
random-yellow_rate = Доля жёлтого
random-red_rate = Доля красного
random-selected = Отобрано
random-not-selected = не отобрано
section-taxes = Пошлины и налоги
tax-item = Товар
tax-tax = Платёж
tax-base = База
tax-rate = Ставка
tax-amount = Сумма
tax-total = Итого
taxes-none = Пошлины и налоги ещё не начислены.
section-history = История
history-events = События
history-versions = Версии
history-at = Когда (UTC)
history-event = Событие
history-actor = Кто
history-reason = Причина
officer-actions = Действия инспектора
control-result = Внести результат контроля
control-result-soon = Внесение результатов документальной проверки и досмотра появится вместе с задачами контроля.
release = Выпустить товары
release-note = Выпуск невозможен, пока не завершён контроль или не уплачены платежи.

## Lodge form
lodge-title = Подать декларацию
lodge-intro = Поля со звёздочкой * обязательны. Все ошибки показываются сразу, рядом с полем.
lodge-errors-title = Декларация не подана
lodge-submit = Подать декларацию
group-declaration = Декларация
group-parties = Участники и страны
group-transport = Транспорт
group-invoice = Инвойс
group-items = Товары
group-documents = Документы
item-legend = Товар { $n }
item-add = Добавить товар
item-remove = Удалить товар { $n }
document-legend = Документ { $n }
document-add = Добавить документ
document-remove = Удалить документ { $n }
field-type = Тип декларации
field-procedure = Процедура
field-office = Таможенный пост
field-declarant = Декларант (ИНН)
field-importer = Импортёр (ИНН)
field-exporter = Экспортёр
field-exporter-name = Наименование экспортёра
field-exporter-country = Страна экспортёра (ISO alpha-2)
field-dispatch_country = Страна отправления (ISO alpha-2)
field-transport = Транспорт
field-transport-mode = Вид транспорта на границе
field-transport-id = Транспортное средство (номер, рейс)
field-transport-border_office = Пост въезда
field-invoice = Инвойс
field-invoice-currency = Валюта инвойса (ISO 4217)
field-invoice-incoterm = Инкотермс
field-invoice-freight = Фрахт
field-invoice-insurance = Страховка
field-items-hs_code = Код ТН ВЭД
field-items-description = Описание товара
field-items-origin = Страна происхождения
field-items-quantity = Количество
field-items-unit = Единица
field-items-net_mass_kg = Вес нетто, кг
field-items-gross_mass_kg = Вес брутто, кг
field-items-value = Фактурная стоимость
field-items-preference = Преференция
field-documents-code = Код документа
field-documents-ref = Номер

## Error codes (from the API)
err-missing = Обязательное поле.
err-bad_type = Значение неверного типа.
err-too_long = Слишком длинное значение.
err-bad_format = Значение не в ожидаемом формате.
err-bad_decimal = Введите десятичное число, например 1234.50.
err-not_positive = Должно быть больше нуля.
err-negative = Не может быть отрицательным.
err-too_many = Слишком много записей.
err-unknown_field = Такого поля в декларации нет.
err-unknown_hs_code = Такого кода нет в номенклатуре ТН ВЭД.
err-unknown_country = Нет такого кода страны (ISO 3166 alpha-2).
err-unknown_currency = Нет такого кода валюты (ISO 4217).
err-unknown_office = Нет такого таможенного поста.
err-unknown_procedure = Нет такого кода процедуры.
err-unknown_transport_mode = Нет такого вида транспорта.
err-unknown_type = Тип: IM, EX или TR.
err-unknown_unit = Нет такой единицы измерения.
err-unknown_incoterm = Нет такого условия Инкотермс.
err-unknown_preference = Преференция: 100, 200 или 300.
err-procedure_mismatch = Процедура не соответствует типу декларации.
err-net_exceeds_gross = Вес нетто больше веса брутто.
err-lodge-forbidden = Подавать можно только декларации, где декларант — ваша организация.
err-control_pending = Выпуск отклонён: декларация отобрана для контроля, результат контроля ещё не внесён.
err-unpaid = Выпуск отклонён: пошлины и налоги не уплачены.
err-already_released = Декларация уже выпущена.
err-not_releasable = Декларацию в текущем статусе выпустить нельзя.
err-concurrent_change = Декларация была изменена; обновите страницу и повторите.
err-release-forbidden = Выпуск производит инспектор поста, на который подана декларация.

## Dashboard
dash-title = Панель показателей
dash-intro = Декларации, коридоры и сроки выпуска. Данные обновляются каждые 5 секунд.
dash-updated = Обновлено
dash-total = Декларации
dash-hit-rate = Результативность
dash-hit-rate-soon = Появится, когда будут вноситься результаты контроля.
dash-revenue-assessed = Начислено платежей
dash-revenue-collected = Поступило платежей
dash-revenue-soon = Появится, когда будут начисляться и уплачиваться платежи.
dash-by-status = Декларации по статусам
dash-per-day = Декларации по дням и коридорам, последние 14 дней
dash-as-table = Показать таблицей
dash-day = День
dash-sum = Всего
dash-release = Время от подачи до выпуска
dash-release-chart = Медиана и 90-й процентиль времени выпуска по коридорам, минуты
dash-release-by-channel = По коридорам
dash-release-by-office = По постам
dash-released = Выпущено
dash-median = Медиана
dash-p90 = 90-й процентиль
dash-no-releases = Ни одна декларация, поданная за последние 30 дней, ещё не выпущена.
dash-hit-by-profile = Результативность профилей риска
unit-seconds = с
unit-minutes = мин
unit-hours = ч

# Результаты контроля (инспектор)
nav-risk-profiles = Профили риска
nav-backtest = Ретроспективная проверка
control-channel = Коридор
control-inspection = Глубина досмотра
control-assigned = Назначенный инспектор
control-draw = Случайный выбор
control-draw-text = инспектор { $n } из { $m } кандидатов, зерно { $seed }
control-opened = Открыта
control-none = Для этой декларации нет открытой задачи контроля.
control-assigned-other = Этот контроль назначен другому инспектору.
control-outcome = Результат
outcome-no_discrepancy = Нарушений нет
outcome-discrepancy = Выявлено нарушение
control-findings = Выявленное (неиспользуемые строки оставьте пустыми)
finding-kind = Нарушение { $n }: вид
finding-item = Товар
finding-field = Исправляемое поле
finding-value = Исправленное значение
control-note = Примечание
control-record = Записать результат
notice-control-recorded = Результат контроля записан.
finding-misclassification = неверная классификация
finding-undervaluation = занижение стоимости
finding-quantity = количество
finding-origin = происхождение
finding-prohibited_goods = запрещённые товары
finding-missing_permit = нет разрешения
finding-missing_document = нет документа
finding-other = другое
correct-value = стоимость
correct-quantity = количество
correct-net_mass_kg = масса нетто, кг
correct-gross_mass_kg = масса брутто, кг
correct-hs_code = код ТН ВЭД
correct-origin = происхождение
inspection-scan = сканирование
inspection-partial = частичный
inspection-full = полный
err-unknown_outcome = Результат: «нарушений нет» или «выявлено нарушение».
err-unknown_finding = Выберите вид нарушения.
err-unknown_item = Нет такого товара.
err-bad_value = Недопустимое исправленное значение.
err-unexpected = Удалите нарушения или выберите «выявлено нарушение».
err-control_closed = Результат этого контроля уже записан.

# Платежи и гарантия (декларант)
ledger-title = Пошлины, налоги и платежи
ledger-assessed = Начислено
ledger-paid = Оплачено
ledger-guaranteed = Под гарантию
ledger-balance = К оплате
col-when = Когда
col-entry = Запись
col-amount = Сумма
col-reference = Ссылка
entry-assessed = начислено
entry-additional = доначислено
entry-paid = оплачено
entry-guaranteed = под гарантию
entry-refunded = возвращено
guarantee-reference = Номер банковской гарантии
guarantee-pay = Оплатить под гарантию
notice-guaranteed = Сумма к оплате обеспечена вашей гарантией.
err-guarantee_not_allowed = Отсрочка платежа под гарантию — только для участников с низким уровнем риска.
err-nothing_due = По этой декларации ничего не причитается.
err-key_reused = Эта гарантия уже предоставлена.

# Профили риска (аналитик)
profiles-title = Профили риска
profiles-intro = Последняя версия каждого профиля, что он отобрал и что выявил контроль.
profiles-empty = Профилей риска пока нет.
profiles-back = ← Все профили риска
notice-profile-saved = Профиль сохранён.
col-profile = Профиль
col-active = Действует
col-selections = Отобрано
col-controls = Проверено
col-hits = Выявлено
col-hit-rate = Результативность
yes = да
no = нет
profile-new-title = Новый профиль риска
profile-edit-title = Изменить профиль риска { $id }
profile-edit = Изменить
profile-legend = Профиль
profile-save = Сохранить профиль
profile-title = Название
profile-rationale = Обоснование
profile-scope = Область действия
profile-scope-hint = national или {"{"}"offices": ["41702"]{"}"}
profile-valid-from = Действует с
profile-valid-from-hint = Дата, например 2026-01-31.
profile-valid-to = Действует по (необязательно)
profile-criteria = Критерии (JSON)
profile-criteria-hint = Список {"{"}"field", "op", "value" или "values"{"}"}; должны совпасть все.
profile-condition = Условие (необязательное выражение)
profile-score = Балл
profile-measure = Мера
profile-inspection = Глубина досмотра
profile-active = Действует
form-errors-title = Исправьте ошибки
err-bad_json = Критерии — не корректный JSON.
err-bad_scope = Область действия: «national» или список постов.
err-bad_measure = Нет такой меры или глубины досмотра.
err-bad_score = Балл — целое число.
err-bad_expression = Условие — не корректное выражение.
err-bad_date = Введите дату, например 2026-01-31.
err-bad_range = Период заканчивается раньше, чем начинается.
backtest-title = Ретроспективная проверка проекта профиля
backtest-period = Период (даты подачи)
profile-from = С
profile-to = По
backtest-run = Выполнить проверку
backtest-report = Что отобрал бы проект
backtest-declarations = Деклараций за период
backtest-selected = Отобрано
backtest-controlled = Отобрано и проверено
backtest-baseline = Результативность всех проверок
backtest-sample = Примеры отобранных деклараций

# Показатели панели
dash-hit-by-channel = Результативность по коридорам
dash-revenue-hint = Начислено и доначислено против поступивших платежей
queue-tasks = Открытые задачи контроля
queue-count = { $n ->
        [one] { $n } открытая задача контроля
        [few] { $n } открытые задачи контроля
        [many] { $n } открытых задач контроля
       *[other] { $n } открытой задачи контроля
    }
queue-mine = вы
event-control-opened = открыта задача контроля
event-control-result_recorded = записан результат контроля
event-declaration-taxes_assessed = начислены пошлины и налоги
event-payment-received = получен платёж
event-payment-guaranteed = обеспечено гарантией
event-payment-refunded = возврат

# Страница банка (задача 12): сумма к уплате по номеру декларации, и ничего больше.
nav-payments = Платежи к уплате
bank-title = Платежи к уплате
bank-intro = Введите номер декларации, который сообщил плательщик, чтобы увидеть сумму к уплате. Банк видит только сумму и статус.
bank-number = Номер декларации
bank-find = Найти
bank-due = Сумма к уплате
bank-balance = Остаток к уплате
bank-not-found = Декларации с таким номером нет.

# Заявления о снижении платежей (задача 12): подаются изменением, решает инспектор.
claims-title = Заявления о снижении платежей
claims-intro = Изменение, снижающее пошлины и налоги, не меняет сумму к уплате, пока инспектор поста не удовлетворит заявление.
claims-version = Версия
claims-reason = Причина изменения
claims-decision-note = Обоснование инспектора
claims-decide = Решение
claims-record = Записать решение
claim-granted = Удовлетворить: снизить платежи
claim-refused = Отказать: платежи не меняются
claim-pending = ожидает инспектора
claim-superseded = решено результатом контроля
notice-claim-decided = Решение по заявлению записано.
err-claim_pending = Заявление о снижении платежей ждёт решения инспектора; изменяйте декларацию после него.
err-claim_decided = По этому заявлению уже принято решение.
