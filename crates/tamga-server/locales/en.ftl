# Tamga console — English (the reference catalogue: every other language has each key).
# Syntax: Fluent (https://projectfluent.org): `key = text`, `{ $name }` placeholders,
# `#` comments, and plural forms chosen by CLDR category (`{ $n -> [one] … *[other] … }`;
# Russian has one, few, many and other). A literal brace is written `{"{"}` and `{"}"}`.
# To add a language, copy this file to `<code>.ftl` (ISO 639-1, e.g. `ky.ftl` for Kyrgyz)
# and translate the right-hand sides, with the plural categories of that language.

language-name = English

## Page frame
skip-to-content = Skip to content
tagline = e-customs
nav-label = Sections
language-label = Language
logout = Sign out
footer = Tamga — open e-customs platform
user-party = party
user-office = office
back-home = Back to the start page
role-trader = trader
role-officer = officer
role-analyst = risk analyst
role-auditor = auditor
role-admin = administrator

## Navigation
nav-my-declarations = My declarations
nav-lodge = Lodge a declaration
nav-queue = Control queue
nav-declarations = Declarations
nav-dashboard = Dashboard

## Errors
error-not-found = Not found
error-not-found-detail = There is no such page, or it is not visible to you.
error-forbidden = Not allowed
error-forbidden-detail = Your role does not allow this.
error-csrf = The form has expired
error-csrf-detail = The form was not sent from this session. Go back, reload the page and try again.
error-internal = Something went wrong
error-internal-detail = The error has been logged. Please try again later.
error-bad-request = The request could not be handled
error-bad-request-detail = Please go back and try again.

## Sign-in
login-title = Sign in
login-with-password = With your user name and password
login-username = User name
login-password = Password
login-with-token = Or with an API token
login-token = API token
login-submit = Sign in
login-failed = Wrong user name, password or token.
login-locked = Too many failed sign-in attempts. Try again in { $seconds ->
        [one] { $seconds } second
       *[other] { $seconds } seconds
    }.

## Lockouts (admin, auditor)
nav-lockouts = Lockouts
lockouts-title = Sign-in lockouts
lockouts-intro = Accounts and client addresses locked out after repeated failed sign-ins or refused API tokens. A lock doubles with each further failure, up to 15 minutes.
lockouts-empty = Nothing is locked out.
col-lockout-kind = Locked
col-lockout-key = Account or address
col-lockout-failures = Failures
col-lockout-until = Until
lockout-kind-account = Account
lockout-kind-address = Address

## Lists
list-title-trader = My declarations
list-intro-trader = Declarations where your party is the declarant or the importer.
list-title-office = Declarations of my office
list-intro-office = Declarations lodged at your customs office.
list-title-all = All declarations
list-intro-all = Every declaration, newest first.
queue-title = Control queue
queue-intro = Declarations of your office selected for control and waiting for a result.
filter-label = Filter declarations
filter-any = Any
filter-apply = Apply filter
list-count = { $n ->
        [one] { $n } declaration
       *[other] { $n } declarations
    }
list-empty = No declarations match.
pager-label = Pages
pager-prev = Previous page
pager-next = Next page
pager-page = Page { $n } of { $m }
col-id = Declaration
col-lodged = Lodged (UTC)
col-type = Type
col-office = Office
col-declarant = Declarant
col-status = Status
col-channel = Channel
col-balance = Balance due
col-version = Version

## Code lists
status-lodged = lodged
status-under_control = under control
status-awaiting_payment = awaiting payment
status-released = released
status-refused = refused
status-invalidated = invalidated
channel-green = green
channel-blue = blue
channel-yellow = yellow
channel-red = red
type-IM = import
type-EX = export
type-TR = transit
mode-0 = not specified
mode-1 = sea
mode-2 = rail
mode-3 = road
mode-4 = air
mode-5 = post
mode-7 = fixed installation
mode-8 = inland waterway
mode-9 = own propulsion
tax-duty = duty
tax-excise = excise
tax-vat = VAT
measure-none = none
measure-documentary_check = documentary check
measure-physical_inspection = physical inspection
measure-post_entry_audit = post-entry audit
doc-N380 = commercial invoice
doc-N954 = EUR.1 certificate
doc-C085 = phytosanitary certificate
event-declaration-lodged = lodged
event-declaration-assessed = assessed
event-declaration-released = released
event-declaration-held_for_control = held for control
event-declaration-awaiting_payment = awaiting payment
event-declaration-status_changed = status changed
event-declaration-amended = amended
event-declaration-invalidated = invalidated
event-declaration-refused = refused
event-control-override_refused = attempt to skip the control refused

## Declaration page
declaration-title = Declaration
back-to-list = ← Back to the list
notice-lodged = The declaration has been lodged and assessed.
notice-released = The declaration has been released.
section-data = Declared data
section-items = Goods items
section-documents = Documents
section-decision = Customs decision
decision-next = Next step
decision-confidential = Customs keeps the reasons for a channel confidential.
next-documentary_check = Customs checks the documents before release: keep them at hand.
next-physical_inspection = Present the goods for inspection at the customs office.
next-payment = Pay the duties and taxes due, or give a guarantee.
next-none = Nothing: no action is needed from you.
section-assessment = Risk assessment
risk-score = Score
risk-reason = Reason
risk-fired = Risk profiles that fired
risk-none-fired = No risk profile fired.
risk-profile = Profile
risk-measure = Measure
risk-matched = Matched
risk-random = Random selection
risk-no-random = No random draw was recorded.
random-draw = Number drawn
random-fraction = Fraction
random-yellow_rate = Yellow rate
random-red_rate = Red rate
random-selected = Selected
random-not-selected = not selected
section-taxes = Duties and taxes
tax-item = Item
tax-tax = Tax
tax-base = Base
tax-rate = Rate
tax-amount = Amount
tax-total = Total
taxes-none = No duties or taxes have been assessed yet.
section-history = History
history-events = Events
history-versions = Versions
history-at = When (UTC)
history-event = Event
history-actor = By
history-reason = Reason
officer-actions = Officer's actions
control-result = Record the control result
control-result-soon = Recording results of documentary checks and inspections comes with control tasks.
release = Release the goods
release-note = Release is refused while a control is pending or money is due.

## Lodge form
lodge-title = Lodge a declaration
lodge-intro = Fields marked * are required. Every problem is listed at once, beside its field.
lodge-errors-title = The declaration was not lodged
lodge-submit = Lodge the declaration
group-declaration = Declaration
group-parties = Parties and countries
group-transport = Transport
group-invoice = Invoice
group-items = Goods items
group-documents = Documents
item-legend = Goods item { $n }
item-add = Add a goods item
item-remove = Remove goods item { $n }
document-legend = Document { $n }
document-add = Add a document
document-remove = Remove document { $n }
field-type = Declaration type
field-procedure = Procedure
field-office = Customs office
field-declarant = Declarant (tax id)
field-importer = Importer (tax id)
field-exporter = Exporter
field-exporter-name = Exporter's name
field-exporter-country = Exporter's country (ISO alpha-2)
field-dispatch_country = Country of dispatch (ISO alpha-2)
field-transport = Transport
field-transport-mode = Mode of transport at the border
field-transport-id = Means of transport (plate, flight)
field-transport-border_office = Office of entry
field-invoice = Invoice
field-invoice-currency = Invoice currency (ISO 4217)
field-invoice-incoterm = Incoterm
field-invoice-freight = Freight
field-invoice-insurance = Insurance
field-items-hs_code = HS code
field-items-description = Description of goods
field-items-origin = Country of origin
field-items-quantity = Quantity
field-items-unit = Unit
field-items-net_mass_kg = Net mass, kg
field-items-gross_mass_kg = Gross mass, kg
field-items-value = Invoice value
field-items-preference = Preference
field-documents-code = Document code
field-documents-ref = Reference

## Error codes (from the API)
err-missing = This field is required.
err-bad_type = This value has the wrong type.
err-too_long = This value is too long.
err-bad_format = This value is not in the expected format.
err-bad_decimal = Enter a decimal number, such as 1234.50.
err-not_positive = Must be greater than zero.
err-negative = Must not be negative.
err-too_many = Too many entries.
err-unknown_field = This field is not part of a declaration.
err-unknown_hs_code = No such HS code in the nomenclature.
err-unknown_country = No such country code (ISO 3166 alpha-2).
err-unknown_currency = No such currency code (ISO 4217).
err-unknown_office = No such customs office.
err-unknown_procedure = No such procedure code.
err-unknown_transport_mode = No such mode of transport.
err-unknown_type = The type is IM, EX or TR.
err-unknown_unit = No such unit.
err-unknown_incoterm = No such Incoterm.
err-unknown_preference = The preference is 100, 200 or 300.
err-procedure_mismatch = This procedure does not fit the declaration type.
err-net_exceeds_gross = The net mass exceeds the gross mass.
err-lodge-forbidden = You may only lodge declarations where your own party is the declarant.
err-control_pending = Release refused: the declaration was selected for control, and the control result has not been recorded yet.
err-unpaid = Release refused: duties and taxes are still due.
err-already_released = The declaration is already released.
err-not_releasable = This declaration cannot be released in its present status.
err-concurrent_change = The declaration was changed meanwhile; reload the page and try again.
err-release-forbidden = Release is done by an officer of the declaration's office.

## Dashboard
dash-title = Dashboard
dash-intro = Declarations, channels and release times. The figures refresh every 5 seconds.
dash-updated = Updated
dash-total = Declarations
dash-hit-rate = Hit rate
dash-hit-rate-soon = Available when control results are recorded.
dash-revenue-assessed = Revenue assessed
dash-revenue-collected = Revenue collected
dash-revenue-soon = Available when duties and payments are recorded.
dash-by-status = Declarations by status
dash-per-day = Declarations per day by channel, last 14 days
dash-as-table = Show as a table
dash-day = Day
dash-sum = Total
dash-release = Time from lodgement to release
dash-release-chart = Median and 90th percentile time to release by channel, minutes
dash-release-by-channel = By channel
dash-release-by-office = By office
dash-released = Released
dash-median = Median
dash-p90 = 90th percentile
dash-no-releases = No declaration lodged in the last 30 days has been released yet.
dash-hit-by-profile = Hit rate by risk profile
unit-seconds = s
unit-minutes = min
unit-hours = h

# Control results (officer)
nav-risk-profiles = Risk profiles
nav-backtest = Back-test
control-channel = Channel
control-inspection = Inspection depth
control-assigned = Assigned officer
control-draw = Random draw
control-draw-text = officer { $n } of { $m } candidates, seed { $seed }
control-opened = Opened
control-none = No control task is open for this declaration.
control-assigned-other = This control is assigned to another officer.
control-outcome = Outcome
outcome-no_discrepancy = No discrepancy
outcome-discrepancy = Discrepancy found
control-findings = Findings (leave unused rows empty)
finding-kind = Finding { $n }: kind
finding-item = Goods item
finding-field = Corrected field
finding-value = Corrected value
control-note = Note
control-record = Record the result
notice-control-recorded = The control result is recorded.
finding-misclassification = misclassification
finding-undervaluation = undervaluation
finding-quantity = quantity
finding-origin = origin
finding-prohibited_goods = prohibited goods
finding-missing_permit = missing permit
finding-missing_document = missing document
finding-other = other
correct-value = value
correct-quantity = quantity
correct-net_mass_kg = net mass, kg
correct-gross_mass_kg = gross mass, kg
correct-hs_code = HS code
correct-origin = origin
inspection-scan = scan
inspection-partial = partial
inspection-full = full
err-unknown_outcome = The outcome is "no discrepancy" or "discrepancy".
err-unknown_finding = Choose a kind of finding.
err-unknown_item = No such goods item.
err-bad_value = Not a valid corrected value.
err-unexpected = Remove the findings, or choose "discrepancy".
err-control_closed = This control's result is already recorded.

# Ledger and guarantee (trader)
ledger-title = Duties, taxes and payments
ledger-assessed = Assessed
ledger-paid = Paid
ledger-guaranteed = Under guarantee
ledger-balance = Balance due
col-when = When
col-entry = Entry
col-amount = Amount
col-reference = Reference
entry-assessed = assessed
entry-additional = additional assessment
entry-paid = paid
entry-guaranteed = under guarantee
entry-refunded = refunded
guarantee-reference = Bank guarantee reference
guarantee-pay = Pay by guarantee
notice-guaranteed = The amount due is covered by your guarantee.
err-guarantee_not_allowed = Deferred payment under a guarantee is for low-risk traders only.
err-nothing_due = Nothing is due on this declaration.
err-key_reused = This pledge was already made.

# Risk profiles (analyst)
profiles-title = Risk profiles
profiles-intro = The latest version of each profile, with what it selected and what controls found.
profiles-empty = No risk profiles yet.
profiles-back = ← All risk profiles
notice-profile-saved = The profile is saved.
col-profile = Profile
col-active = Active
col-selections = Selections
col-controls = Controls
col-hits = Hits
col-hit-rate = Hit rate
yes = yes
no = no
profile-new-title = New risk profile
profile-edit-title = Edit risk profile { $id }
profile-edit = Edit
profile-legend = Profile
profile-save = Save the profile
profile-title = Title
profile-rationale = Rationale
profile-scope = Scope
profile-scope-hint = national, or {"{"}"offices": ["41702"]{"}"}
profile-valid-from = Valid from
profile-valid-from-hint = A date such as 2026-01-31.
profile-valid-to = Valid to (optional)
profile-criteria = Criteria (JSON)
profile-criteria-hint = A list of {"{"}"field", "op", "value" or "values"{"}"}; all must match.
profile-condition = Condition (optional expression)
profile-score = Score
profile-measure = Measure
profile-inspection = Inspection depth
profile-active = Active
form-errors-title = Please correct the errors
err-bad_json = The criteria are not valid JSON.
err-bad_scope = The scope is "national" or a list of offices.
err-bad_measure = No such measure or inspection depth.
err-bad_score = The score is a whole number.
err-bad_expression = The condition is not a valid expression.
err-bad_date = Enter a date such as 2026-01-31.
err-bad_range = The period ends before it starts.
backtest-title = Back-test a draft profile
backtest-period = Period (lodgement dates)
profile-from = From
profile-to = To
backtest-run = Run the back-test
backtest-report = What the draft would have selected
backtest-declarations = Declarations in the period
backtest-selected = Selected
backtest-controlled = Selected and controlled
backtest-baseline = Hit rate of all controls
backtest-sample = Sample of selected declarations

# Dashboard figures
dash-hit-by-channel = Hit rate by channel
dash-revenue-hint = Assessed and additional, against payments received
queue-tasks = Open control tasks
queue-count = { $n ->
        [one] { $n } open control task
       *[other] { $n } open control tasks
    }
queue-mine = you
event-control-opened = control task opened
event-control-result_recorded = control result recorded
event-declaration-taxes_assessed = duties and taxes assessed
event-payment-received = payment received
event-payment-guaranteed = covered by a guarantee
event-payment-refunded = refunded

# A bank's page (issue 12): the amount due by declaration number, nothing else.
nav-payments = Payments due
bank-title = Payments due
bank-intro = Enter the declaration number the payer gave you to see the amount due. Banks see the amount and status only.
bank-number = Declaration number
bank-find = Find
bank-due = Amount due
bank-balance = Balance due
bank-not-found = No declaration has this number.

# Claims to lower duties (issue 12): filed by an amendment, decided by an officer.
claims-title = Claims to lower the duties
claims-intro = An amendment that lowers the duties does not change what is owed until an officer of the office grants the claim.
claims-version = Version
claims-reason = Reason given
claims-decision-note = Officer's reason
claims-decide = Decision
claims-record = Record the decision
claim-granted = Grant: lower the duties
claim-refused = Refuse: keep the duties
claim-pending = awaiting an officer
claim-superseded = settled by the control
notice-claim-decided = The decision on the claim is recorded.
err-claim_pending = A claim to lower the duties awaits an officer's decision; amend again after it.
err-claim_decided = This claim is already decided.
