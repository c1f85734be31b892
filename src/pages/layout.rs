//! The page around every page: language, viewport, the one style sheet, no script.

use crate::rules::html::escape;

/// Colours and sizes of every page. Contrast is at least 4.5:1 for text and 3:1 for
/// controls in both schemes (WCAG 2.1 AA 1.4.3, 1.4.11); focus is always visible (2.4.7);
/// nothing is wider than the screen at 320 px (1.4.10).
const STYLE: &str = r#"
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1f24; --muted: #4a5058;
  --line: #6b7280; --accent: #0b57d0; --on-accent: #ffffff; --panel: #f3f5f8; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #121417; --fg: #e8eaed; --muted: #bdc1c6; --line: #9aa0a6;
    --accent: #8ab4f8; --on-accent: #0b1220; --panel: #1e2227; }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans CJK KR",
    "Apple SD Gothic Neo", "Malgun Gothic", sans-serif; overflow-wrap: anywhere; }
main { max-width: 40rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 1rem; }
p { margin: 0 0 1rem; }
.muted { color: var(--muted); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, textarea:focus-visible,
input:focus-visible + label, .check input:focus-visible {
  outline: 3px solid var(--accent); outline-offset: 2px; }
fieldset { border: 0; margin: 0 0 1.5rem; padding: 0; min-width: 0; }
legend, .label { display: block; font-weight: 600; margin-bottom: .5rem; padding: 0; }
.scale { display: grid; grid-template-columns: repeat(var(--n), minmax(0, 1fr)); gap: .25rem; }
.scale input { position: absolute; opacity: 0; width: 1px; height: 1px; margin: 0; }
.scale label { display: flex; align-items: center; justify-content: center; min-height: 2.75rem;
  border: 2px solid var(--line); border-radius: .375rem; font-weight: 600; cursor: pointer;
  background: var(--bg); position: relative; }
.scale input:checked + label { background: var(--accent); color: var(--on-accent);
  border-color: var(--accent); }
.ends { display: flex; justify-content: space-between; gap: 1rem; font-size: .875rem;
  color: var(--muted); margin-top: .25rem; }
.choices label, .check label { display: inline; }
.choices div, .check { display: flex; gap: .5rem; align-items: flex-start; margin: .25rem 0; }
.choices input, .check input { width: 1.25rem; height: 1.25rem; margin: .125rem 0 0;
  flex: none; accent-color: var(--accent); }
textarea { display: block; width: 100%; min-height: 8rem; padding: .5rem; font: inherit;
  color: var(--fg); background: var(--bg); border: 2px solid var(--line); border-radius: .375rem; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0);
  white-space: nowrap; }
.recorded { background: var(--panel); border-radius: .5rem; padding: .75rem 1rem; }
button, .button { display: inline-block; min-height: 2.75rem; padding: .625rem 1.5rem;
  font: inherit; font-weight: 600; color: var(--on-accent); background: var(--accent);
  border: 0; border-radius: .375rem; cursor: pointer; text-decoration: none; }
"#;

/// A complete document: `lang`, a title, the style sheet and `main` (already escaped).
pub(super) fn document(lang: &str, title: &str, main: &str) -> String {
    let lang = escape(lang);
    let title = escape(title);
    format!(
        "<!doctype html>\n<html lang=\"{lang}\" dir=\"ltr\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{main}</main>\n\
         </body>\n</html>\n"
    )
}
