//! The report's HTML: the page around the tones, each tone's section, the loudness chart and
//! the failures. Plain HTML and CSS, no script; every text from a file, a name or a message
//! goes through [`escape`].

use std::fmt::Write;

use super::{spectrum, waveform, Audition, Entry, Failure};
use crate::Normalize;

/// `s` with `&`, `<`, `>`, `"` and `'` replaced by character references: safe as element text
/// and as a quoted attribute value.
///
/// ```
/// use ringforge::audition::page::escape;
/// assert_eq!(escape(r#"<a href="x">Tom & 'Jerry'</a>"#),
///            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
/// ```
pub fn escape(s: &str) -> String {
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

/// A library message as HTML: escaped, and each `` `name=value` `` (an option, as messages
/// name them) set as `<code>`.
fn message(s: &str) -> String {
    let escaped = escape(s);
    let mut out = String::with_capacity(escaped.len());
    let mut parts = escaped.split('`');
    out.push_str(parts.next().unwrap_or_default());
    let rest: Vec<&str> = parts.collect();
    // Pairs of backticks become code; an odd one out stays as it is.
    let mut chunks = rest.chunks_exact(2);
    for pair in &mut chunks {
        let _ = write!(out, "<code>{}</code>{}", pair[0], pair[1]);
    }
    for lone in chunks.remainder() {
        out.push('`');
        out.push_str(lone);
    }
    out
}

/// A tone more than this many LU from its target is an outlier in the chart.
pub const OUTLIER_LU: f64 = 1.0;
/// The chart's loudness scale, in LUFS: bottom and top.
const CHART_FLOOR_LUFS: f64 = -40.0;
const CHART_TOP_LUFS: f64 = 0.0;

/// The loudness a tone is shown against: its loudness target, if it was normalised to one.
fn target_lufs(e: &Entry) -> Option<f64> {
    match e.normalize {
        Some(Normalize::Loudness { target_lufs, .. }) => Some(target_lufs),
        _ => None,
    }
}

/// The reference line of the chart: the target most tones share, else the median loudness.
fn reference_lufs(entries: &[Entry]) -> Option<(f64, bool)> {
    let mut targets: Vec<f64> = entries.iter().filter_map(target_lufs).collect();
    targets.sort_by(f64::total_cmp);
    let mode = targets
        .chunk_by(|a, b| a == b)
        .max_by_key(|run| run.len())
        .map(|run| run[0]);
    if let Some(t) = mode {
        return Some((t, true));
    }
    let mut measured: Vec<f64> = entries
        .iter()
        .filter_map(|e| e.report.loudness_lufs)
        .collect();
    measured.sort_by(f64::total_cmp);
    measured.get(measured.len() / 2).map(|m| (*m, false))
}

/// The whole page around the tone sections (in `entries` order).
pub fn render(audition: &Audition, sections: &[String]) -> String {
    let title = if audition.title.is_empty() {
        "ringforge report"
    } else {
        &audition.title
    };
    let mut h = String::with_capacity(2_048 + sections.iter().map(String::len).sum::<usize>());
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{t}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>\n<h1>{t}</h1>\n\
         <p>{n} tone(s), {f} failed. Made by ringforge {v}. Each preview is exactly the audio \
         the phones play (16 kHz, mono, 16-bit).</p>\n</header>\n<main>\n",
        t = escape(title),
        n = audition.entries.len(),
        f = audition.failures.len(),
        v = env!("CARGO_PKG_VERSION"),
    );
    h.push_str(&loudness_chart(&audition.entries));
    h.push_str(&failures(&audition.failures));
    if !sections.is_empty() {
        h.push_str("<h2 id=\"tones\">Tones</h2>\n");
    }
    for s in sections {
        h.push_str(s);
    }
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

/// The loudness chart: one bar per tone (a link to its section) from the floor up to its
/// loudness, a line at the reference, outliers in another colour; and the outliers in words.
fn loudness_chart(entries: &[Entry]) -> String {
    if entries.is_empty() {
        return String::new();
    }
    let Some((reference, is_target)) = reference_lufs(entries) else {
        return "<p>No tone's loudness could be measured (all under 0.4 s or silent).</p>\n".into();
    };
    const BAR: usize = 8;
    const H: f64 = 100.0;
    let w = (entries.len() * BAR).max(200);
    let y = |lufs: f64| {
        let v = lufs.clamp(CHART_FLOOR_LUFS, CHART_TOP_LUFS);
        (CHART_TOP_LUFS - v) / (CHART_TOP_LUFS - CHART_FLOOR_LUFS) * H
    };
    let mut bars = String::new();
    let mut outliers = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let aim = target_lufs(e).unwrap_or(reference);
        let (top, class, words) = match e.report.loudness_lufs {
            Some(l) => {
                let off = (l - aim).abs() > OUTLIER_LU;
                if off {
                    outliers.push((e, l - aim));
                }
                (y(l), if off { "off" } else { "ok" }, format!("{l:.1} LUFS"))
            }
            None => (H - 1.0, "none", "loudness not measured".into()),
        };
        let _ = write!(
            bars,
            "<a href=\"#tone-{id}\"><rect class=\"{class}\" x=\"{x}\" y=\"{top:.1}\" \
             width=\"{bw}\" height=\"{hgt:.1}\"><title>{name}: {words}</title></rect></a>",
            id = escape(&e.id),
            x = i * BAR + 1,
            bw = BAR - 2,
            hgt = H - top,
            name = escape(&e.display),
        );
    }
    let what = if is_target { "target" } else { "median" };
    let ry = y(reference);
    let mut h = format!(
        "<section class=\"chart\" aria-labelledby=\"loudness\">\n<h2 id=\"loudness\">Loudness</h2>\n\
         <figure>\n<svg viewBox=\"0 0 {w} {H}\" preserveAspectRatio=\"none\" role=\"img\" \
         aria-label=\"Loudness of {n} tones against the {what} of {reference:.1} LUFS; {o} more \
         than {OUTLIER_LU} LU off\">{bars}<line class=\"target\" x1=\"0\" y1=\"{ry:.1}\" x2=\"{w}\" \
         y2=\"{ry:.1}\"/></svg>\n<figcaption>One bar per tone, {CHART_FLOOR_LUFS} to \
         {CHART_TOP_LUFS} LUFS; the line is the {what} ({reference:.1} LUFS); bars more than \
         {OUTLIER_LU} LU from their target are marked.</figcaption>\n</figure>\n",
        n = entries.len(),
        o = outliers.len(),
    );
    if outliers.is_empty() {
        let _ = writeln!(
            h,
            "<p>Every tone is within {OUTLIER_LU} LU of its {what}.</p>"
        );
    } else {
        h.push_str("<p>Off the mark:</p>\n<ul class=\"outliers\">\n");
        for (e, d) in outliers {
            let _ = writeln!(
                h,
                "<li><a href=\"#tone-{}\">{}</a>: {d:+.1} LU</li>",
                escape(&e.id),
                escape(&e.display)
            );
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");
    h
}

/// The failed files, each with its error.
fn failures(failures: &[Failure]) -> String {
    if failures.is_empty() {
        return String::new();
    }
    let mut h = String::from(
        "<section class=\"failures\" aria-labelledby=\"failed\">\n<h2 id=\"failed\">Failed</h2>\n<ul>\n",
    );
    for f in failures {
        let id =
            f.id.as_ref()
                .map(|i| format!(" (tone <code>{}</code>)", escape(i)))
                .unwrap_or_default();
        let _ = writeln!(
            h,
            "<li><strong>{}</strong>{id}: {}</li>",
            escape(&f.source),
            message(&f.error)
        );
    }
    h.push_str("</ul>\n</section>\n");
    h
}

/// One tone's section. `media` is the tone's samples and its preview's path relative to the
/// page; without it (`error` says why) the section shows the facts only.
pub fn tone_section(e: &Entry, media: Option<(&[i16], &str)>, error: Option<&str>) -> String {
    let r = &e.report;
    let name = escape(&e.display);
    let mut h = format!(
        "<section class=\"tone\" id=\"tone-{id}\" aria-labelledby=\"h-{id}\">\n\
         <h3 id=\"h-{id}\">{name} <code>{id}</code></h3>\n<dl>\n",
        id = escape(&e.id)
    );
    let mut fact = |term: &str, value: String| {
        let _ = writeln!(h, "<dt>{term}</dt><dd>{value}</dd>");
    };
    fact("Source", escape(&e.source));
    let s = &r.source;
    fact(
        "Format",
        escape(&format!(
            "{} / {}, {} Hz, {} channel(s)",
            s.container, s.codec, s.sample_rate, s.channels
        )),
    );
    fact(
        "Duration",
        format!("{:.3} s ({} samples)", r.duration_seconds, r.output_samples),
    );
    let (target, ceiling) = match e.normalize {
        Some(Normalize::Loudness {
            target_lufs,
            true_peak_ceiling_dbtp,
        }) => (
            format!(" (target {target_lufs:.1} LUFS)"),
            format!(" (ceiling {true_peak_ceiling_dbtp:.1} dBTP)"),
        ),
        Some(Normalize::Peak { ceiling_dbfs }) => (
            String::new(),
            format!(" (peak normalised to {ceiling_dbfs:.1} dBFS)"),
        ),
        _ => (String::new(), String::new()),
    };
    fact(
        "Loudness",
        match r.loudness_lufs {
            Some(l) => format!("{l:.1} LUFS{target}"),
            None => "not measured (under 0.4 s, or silent)".into(),
        },
    );
    fact(
        "True peak",
        match r.true_peak_dbtp {
            Some(p) => format!("{p:.1} dBTP{ceiling}"),
            None => "digital silence".into(),
        },
    );
    fact("Gain", format!("{:+.2} dB", r.gain_db));
    fact(
        "Limiting",
        match r.limiting {
            Some(l) => format!(
                "peaks lowered by up to {:.1} dB, over {:.1}% of the tone",
                l.max_reduction_db,
                l.limited_share * 100.0
            ),
            None => "none".into(),
        },
    );
    let warnings = if r.warnings.is_empty() {
        "none".to_string()
    } else {
        let items: String = r
            .warnings
            .iter()
            .map(|w| format!("<li>{}</li>", message(&w.to_string())))
            .collect();
        format!("<ul class=\"warnings\">{items}</ul>")
    };
    fact("Warnings", warnings);
    h.push_str("</dl>\n");
    match media {
        Some((samples, preview)) => {
            let _ = write!(
                h,
                "<div class=\"pictures\">\n<figure>{}<figcaption>Waveform</figcaption></figure>\n\
                 <figure>{}<figcaption>Spectrum, 0–8 kHz</figcaption></figure>\n</div>\n\
                 <audio controls preload=\"none\" src=\"{}\" data-duration=\"{:.4}\" \
                 aria-label=\"Preview of {name}\"></audio>\n",
                waveform::waveform_svg(samples, &format!("Waveform of {name}")),
                spectrum::spectrum_svg(samples, &format!("Spectrum of {name}")),
                escape(preview),
                samples.len() as f64 / f64::from(crate::pipeline::resample::TARGET_RATE),
            );
        }
        None => {
            let _ = writeln!(
                h,
                "<p class=\"error\">No preview: {}</p>",
                message(error.unwrap_or("the tone file could not be read"))
            );
        }
    }
    h.push_str("</section>\n");
    h
}

/// The page's style sheet: system fonts, one column on a narrow screen.
const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:64rem;
padding:0 1rem 3rem;color:#1b1b1b;background:#fff;line-height:1.4;overflow-wrap:anywhere}
h1{font-size:1.5rem}h2{font-size:1.25rem;margin-top:2rem}h3{font-size:1.1rem;margin:0 0 .5rem}
code{font-size:.9em;color:#555}
figure{margin:0}figcaption{font-size:.8rem;color:#555}
.chart svg{width:100%;height:8rem;background:#f4f6f8;border:1px solid #ccd}
rect.ok{fill:#3a7bd5}rect.off{fill:#d9480f}rect.none{fill:#999}
line.target{stroke:#111;stroke-width:1;stroke-dasharray:4 3;vector-effect:non-scaling-stroke}
.tone{border-top:1px solid #ccd;padding:1rem 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:0 0 .75rem}
dt{font-weight:600}dd{margin:0;min-width:0}
.warnings{margin:0;padding-left:1.2rem;color:#8a3b00}
.pictures{display:flex;flex-wrap:wrap;gap:1rem}.pictures figure{flex:1 1 16rem;min-width:0}
svg.wave,svg.spectrum{width:100%;height:5rem;background:#f4f6f8;border:1px solid #ccd}
svg.wave path{stroke:#1d4f91;stroke-width:1;fill:none;vector-effect:non-scaling-stroke}
svg.wave .axis,svg.spectrum .mark{stroke:#99a;stroke-width:1;stroke-dasharray:3 3;
vector-effect:non-scaling-stroke}
svg.spectrum polyline{fill:#9cc3ee;stroke:#1d4f91;stroke-width:1;vector-effect:non-scaling-stroke}
svg.spectrum text{font-size:8px;fill:#555}
audio{width:100%;margin-top:.5rem}
.failures li{margin-bottom:.3rem}.error{color:#b00020}
@media (max-width:40rem){dl{grid-template-columns:1fr}dt{margin-top:.3rem}}
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Report, Warning};

    fn entry(id: &str, display: &str, lufs: Option<f64>) -> Entry {
        let report = Report {
            loudness_lufs: lufs,
            warnings: vec![Warning::Upsampled { from: 8_000 }],
            ..Report::default()
        };
        Entry::new(id, display, "<src>&.wav", "x.sln", report)
            .with_normalize(Some(Normalize::loudness()))
    }

    #[test]
    fn every_text_is_escaped() {
        let hostile = "<script>alert(\"x\")</script> & 'q'";
        let mut e = entry("a", hostile, Some(-16.0));
        e.source = hostile.into();
        let run = Audition {
            title: hostile.into(),
            entries: vec![e.clone()],
            failures: vec![Failure::new(hostile, Some("b".into()), hostile)],
        };
        let section = tone_section(&e, Some((&[0, 100, -100, 0], "previews/a.wav")), None);
        let html = render(&run, &[section]);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("alert(\"x\")"));
        assert!(
            html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;")
        );
        // Warnings are escaped too; the options they name are set as code.
        assert!(html.contains("<ul class=\"warnings\"><li>source is 8000 Hz"));
        assert!(html.contains("<code>allow_upsample=true</code>"), "{html}");
        assert_eq!(message("a `<b>` c"), "a <code>&lt;b&gt;</code> c");
        assert_eq!(message("odd ` one"), "odd ` one");
        assert_eq!(message("`x` and `y`"), "<code>x</code> and <code>y</code>");
        // No script of any kind, nothing fetched from elsewhere.
        assert!(!html.contains("http://") && !html.contains("https://"));
        assert!(!html.contains("<link") && !html.contains("@import") && !html.contains("url("));
    }

    #[test]
    fn the_chart_has_one_bar_per_tone_and_marks_the_outlier() {
        let entries = vec![
            entry("a", "A", Some(-16.1)),
            entry("b", "B", Some(-15.8)),
            entry("c", "C", Some(-22.0)),
            entry("d", "D", None),
        ];
        let chart = loudness_chart(&entries);
        assert_eq!(chart.matches("<rect").count(), 4);
        assert_eq!(chart.matches("class=\"off\"").count(), 1);
        assert!(chart.contains("href=\"#tone-c\""));
        assert!(chart.contains("C</a>: -6.0 LU"));
        assert!(chart.contains("against the target of -16.0 LUFS; 1 more than 1 LU off"));
        // The target line sits at -16 LUFS on the -40…0 scale: 40 % down.
        assert!(chart.contains("y1=\"40.0\""));
    }

    #[test]
    fn a_tone_shows_its_facts_pictures_and_preview() {
        let mut e = entry("front-desk", "Front Desk", Some(-16.0));
        e.report.limiting = Some(crate::Limiting {
            max_reduction_db: 4.25,
            limited_share: 0.125,
        });
        e.report.duration_seconds = 0.25;
        let samples = vec![1000i16; 4_000];
        let s = tone_section(&e, Some((&samples, "previews/front-desk.wav")), None);
        assert!(s.contains("id=\"tone-front-desk\""));
        assert!(s.contains("-16.0 LUFS (target -16.0 LUFS)"));
        assert!(s.contains("by up to 4.2 dB, over 12.5% of the tone"));
        assert!(s.contains("<audio controls preload=\"none\" src=\"previews/front-desk.wav\" data-duration=\"0.2500\""));
        assert!(s.contains("aria-label=\"Waveform of Front Desk\""));
        assert!(s.contains("aria-label=\"Spectrum of Front Desk\""));
        let broken = tone_section(&e, None, Some("x.sln: <gone>"));
        assert!(broken.contains("No preview: x.sln: &lt;gone&gt;") && !broken.contains("<audio"));
    }
}
