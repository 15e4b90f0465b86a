// The after-action report in the app's dark theme. The server's report is one light, printable
// page (what downloads and the print dialog get); the debrief shows it in a frame with this
// stylesheet added after the report's own, overriding its palette. Printing from the frame
// still uses the report's own @media print rules (white paper, dark text).
export const DARK_REPORT_CSS = `
@media screen{
:root{--bg:#10161f;--card:#161d27;--line:#2a3442;--text:#e6ebf2;--muted:#9aa6b6;--accent:#6aa6ff;--good:#3ecf8e;--fair:#f0b429;--poor:#ff6b6b}
html{color-scheme:dark}
code{background:#0f141b;color:#dbe4f0}
header.top{border-top-color:#5b9cff}
.outcome-resolved{background:#123726;color:#9ff0c9}.outcome-unresolved,.outcome-running{background:#45330f;color:#ffd08a}.outcome-halted{background:#4a1518;color:#ffb3b3}
.ring-bg{stroke:#2a3442}
.rootcause{background:#2a1518}
details.dim summary:hover{background:#1c2531}
details.dim[open] summary{background:#1a222e}
.bar,.mini{background:#2a3442}
table.findings td{border-top-color:#222b37}
svg.chart .grid{stroke:#232c38}svg.chart .grid-v{stroke:#1d2530}
svg.chart .axis{stroke:#3a4658}
svg.chart .tick{fill:#9aa6b6}svg.chart .axis-label{fill:#8b95a3}
svg.chart .flag text{fill:#fff}
.legend{color:#cdd6e2}
ul.take li{border-top-color:#222b37}
.chip-good{background:#123726;color:#9ff0c9}.chip-bad{background:#4a1518;color:#ffb3b3}
table.timeline th{border-bottom-color:#2a3442}
table.timeline td{border-bottom-color:#1f2834}
.kind{background:#2a3442;color:#cdd6e2}
.hidden-tag{border-color:#4a5870}
.k-fault .kind{background:#4a1518;color:#ffb3b3}.k-trap td{background:#2a1421}
.k-deploy .kind{background:#16305a;color:#a9c8ff}.k-alert .kind{background:#45330f;color:#ffd08a}.critical.k-alert .kind{background:#5a2a0a;color:#ffc48a}
.k-page .kind{background:#2e2250;color:#d2bfff}.k-action .kind{background:#16305a;color:#a9c8ff}.k-remed .kind{background:#cdd6e2;color:#10161f}
.k-comms .kind{background:#0f3a36;color:#8ff0e4}.k-msg .kind{background:#2a3442;color:#cdd6e2}.k-hint .kind{background:#3d2a0a;color:#ffd08a}
.k-ok .kind{background:#123726;color:#9ff0c9}.k-muted td{color:#8b95a3}
tr.refused td{background:#24161a}
table.compare th,table.compare td{border-bottom-color:#222b37}
table.compare th:first-child{color:#cdd6e2}
table.compare td.best{background:#123726;color:#9ff0c9}
table.blank th{border-bottom-color:#2a3442}
table.blank td{border-bottom-color:#2a3442;border-right-color:#222b37}
.status{background:#2a3442;color:#cdd6e2}
.status-open{background:#45330f;color:#ffd08a}.status-in-progress{background:#16305a;color:#a9c8ff}.status-done{background:#123726;color:#9ff0c9}.status-dropped{background:#2a3442;color:#9aa6b6}
a{color:var(--accent)}
::-webkit-scrollbar{width:10px;height:10px}::-webkit-scrollbar-thumb{background:#2f3a4a;border-radius:5px}::-webkit-scrollbar-track{background:#10161f}
}
`;

/** The report's HTML with the dark stylesheet after its own. */
export function darkReport(html: string): string {
  const style = `<style id="firedrill-dark">${DARK_REPORT_CSS}</style>`;
  return html.includes('</head>') ? html.replace('</head>', `${style}</head>`) : style + html;
}
