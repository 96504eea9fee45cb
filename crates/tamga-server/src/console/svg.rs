//! A small SVG writer for the dashboard's charts: stacked bars and grouped horizontal bars,
//! drawn on the server so the console ships no chart library.
//!
//! Charts are images with a text alternative (`role="img"`, `<title>`, `aria-label`); the
//! dashboard also shows the same numbers as tables. Series carry text labels in a legend,
//! so colour is never the only cue. Every text is escaped here.

use std::fmt::Write;

/// Escapes text for SVG/XML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An SVG document being written.
pub struct Svg {
    buf: String,
}

impl Svg {
    pub fn new(width: u32, height: u32, title: &str) -> Svg {
        let t = esc(title);
        let mut buf = String::new();
        let _ = write!(
            buf,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-label="{t}" class="chart"><title>{t}</title>"#
        );
        Svg { buf }
    }

    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, tip: Option<&str>) {
        let _ = write!(
            self.buf,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{}">"#,
            w.max(0.0),
            h.max(0.0),
            esc(fill)
        );
        if let Some(t) = tip {
            let _ = write!(self.buf, "<title>{}</title>", esc(t));
        }
        self.buf.push_str("</rect>");
    }

    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str) {
        let _ = write!(
            self.buf,
            r#"<line x1="{x1:.1}" y1="{y1:.1}" x2="{x2:.1}" y2="{y2:.1}" stroke="{}" stroke-width="1"/>"#,
            esc(stroke)
        );
    }

    pub fn polyline(&mut self, points: &[(f64, f64)], stroke: &str) {
        let pts: Vec<String> = points
            .iter()
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        let _ = write!(
            self.buf,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
            pts.join(" "),
            esc(stroke)
        );
    }

    /// `anchor`: `start`, `middle` or `end`.
    pub fn text(&mut self, x: f64, y: f64, anchor: &str, size: u32, text: &str) {
        let _ = write!(
            self.buf,
            r##"<text x="{x:.1}" y="{y:.1}" text-anchor="{anchor}" font-size="{size}" fill="#1a1a1a">{}</text>"##,
            esc(text)
        );
    }

    pub fn finish(mut self) -> String {
        self.buf.push_str("</svg>");
        self.buf
    }
}

/// One coloured series of a chart, with the text label shown in its legend.
#[derive(Debug, Clone)]
pub struct Series {
    pub label: String,
    pub colour: &'static str,
    pub values: Vec<f64>,
}

/// A round step for an axis reaching at least `max`.
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let mag = 10f64.powf(max.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * mag >= max {
            return m * mag;
        }
    }
    10.0 * mag
}

/// The top and the tick step of a value axis reaching `max`: about four round steps, whole
/// numbers when counting.
fn axis(max: f64, integer: bool) -> (f64, f64) {
    if max <= 0.0 {
        return (1.0, if integer { 1.0 } else { 0.25 });
    }
    let raw = max / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let mut step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    if integer {
        // Counts have no quarter steps: 2.5 becomes 3, anything below 1 becomes 1.
        step = step.ceil().max(1.0);
    }
    ((max / step).ceil() * step, step)
}

fn fmt_num(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

fn legend(svg: &mut Svg, series: &[Series], x0: f64, y: f64) {
    let mut x = x0;
    for s in series {
        svg.rect(x, y - 10.0, 12.0, 12.0, s.colour, None);
        svg.text(x + 16.0, y, "start", 12, &s.label);
        x += 24.0 + 8.0 * s.label.chars().count() as f64;
    }
}

/// Vertical bars, one per category, each stacked from the series; a line of the totals
/// over them. `categories` label the x axis.
pub fn stacked_bars(title: &str, categories: &[String], series: &[Series]) -> String {
    let (w, h) = (720.0, 300.0);
    let (left, right, top, bottom) = (44.0, 12.0, 34.0, 44.0);
    let mut svg = Svg::new(w as u32, h as u32, title);
    let totals: Vec<f64> = (0..categories.len())
        .map(|i| {
            series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0.0))
                .sum()
        })
        .collect();
    let integer = series
        .iter()
        .flat_map(|s| s.values.iter())
        .all(|v| v.fract() == 0.0);
    let (max, step) = axis(totals.iter().copied().fold(0.0, f64::max), integer);
    let plot_h = h - top - bottom;
    let plot_w = w - left - right;
    let y_of = |v: f64| top + plot_h - v / max * plot_h;
    let ticks = (max / step).round() as usize;
    for k in 0..=ticks {
        let v = step * k as f64;
        svg.line(left, y_of(v), w - right, y_of(v), "#d0d0d0");
        svg.text(left - 6.0, y_of(v) + 4.0, "end", 11, &fmt_num(v));
    }
    let n = categories.len().max(1) as f64;
    let slot = plot_w / n;
    let bar = (slot * 0.7).max(1.0);
    let mut tops = Vec::new();
    for (i, cat) in categories.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let mut acc = 0.0;
        for s in series {
            let v = s.values.get(i).copied().unwrap_or(0.0);
            if v > 0.0 {
                let tip = format!("{cat} · {}: {}", s.label, fmt_num(v));
                svg.rect(
                    x,
                    y_of(acc + v),
                    bar,
                    y_of(acc) - y_of(acc + v),
                    s.colour,
                    Some(&tip),
                );
            }
            acc += v;
        }
        tops.push((x + bar / 2.0, y_of(acc)));
        svg.text(x + bar / 2.0, h - bottom + 16.0, "middle", 11, cat);
    }
    if tops.len() > 1 {
        svg.polyline(&tops, "#333333");
    }
    legend(&mut svg, series, left, 18.0);
    svg.finish()
}

/// Horizontal bars, one group per row, one bar per series (e.g. median and p90 per
/// channel), each with its value written beside it.
pub fn grouped_hbars(title: &str, rows: &[String], series: &[Series], unit: &str) -> String {
    let row_h = 14.0 * series.len() as f64 + 12.0;
    let (left, right, top) = (120.0, 70.0, 34.0);
    let w = 720.0;
    let h = top + row_h * rows.len().max(1) as f64 + 10.0;
    let mut svg = Svg::new(w as u32, h as u32, title);
    let max = nice_max(
        series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .fold(0.0, f64::max),
    );
    let plot_w = w - left - right;
    for (r, row) in rows.iter().enumerate() {
        let y0 = top + row_h * r as f64;
        svg.text(left - 8.0, y0 + row_h / 2.0, "end", 12, row);
        for (k, s) in series.iter().enumerate() {
            let v = s.values.get(r).copied().unwrap_or(0.0);
            let y = y0 + 4.0 + 14.0 * k as f64;
            let bw = v / max * plot_w;
            let label = format!("{} {}", fmt_num(v), unit);
            svg.rect(
                left,
                y,
                bw,
                11.0,
                s.colour,
                Some(&format!("{row} · {}: {label}", s.label)),
            );
            svg.text(left + bw + 4.0, y + 10.0, "start", 11, &label);
        }
    }
    legend(&mut svg, series, left, 18.0);
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_in_charts_is_escaped() {
        let s = stacked_bars(
            "<b>&",
            &["a<".into()],
            &[Series {
                label: "x\"".into(),
                colour: "#000",
                values: vec![1.0],
            }],
        );
        assert!(!s.contains("<b>"));
        assert!(s.contains("&lt;b&gt;&amp;"));
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
    }

    #[test]
    fn an_axis_reaches_a_round_number_above_the_largest_value() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(23.0), 25.0);
        assert_eq!(nice_max(100.0), 100.0);
    }

    #[test]
    fn count_axes_step_in_whole_numbers() {
        assert_eq!(axis(5.0, true), (6.0, 2.0));
        assert_eq!(axis(10.0, true), (12.0, 3.0));
        assert_eq!(axis(3.0, true), (3.0, 1.0));
        assert_eq!(axis(0.0, true), (1.0, 1.0));
        assert_eq!(axis(10.0, false), (10.0, 2.5));
        assert_eq!(axis(400.0, true), (400.0, 100.0));
    }

    #[test]
    fn empty_charts_still_draw() {
        let s = grouped_hbars("t", &[], &[], "h");
        assert!(s.contains("</svg>"));
    }
}
