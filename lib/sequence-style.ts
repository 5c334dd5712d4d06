/**
 * The look of a sequence diagram drawn in HTML and CSS, shared by the harness's HTML report and
 * the mock IdP's journal page (which draws on the client, so only the markup contract is shared):
 *
 *   <div class="seq l3"> <div class="heads"><b>Browser</b>…</div>
 *     <div class="rows"> <i class="lifeline" style="left:…%"></i>…
 *       <div class="row"><div class="arrow right [answer] [failing]" style="grid-column:2/4">label</div></div>
 *       <div class="row"><div class="note">…</div></div>
 *
 * A row is a grid of two columns per lane, so lane k's lifeline is grid line 2k and an arrow from
 * lane a to lane b spans lines 2a to 2b.
 */
export const SEQUENCE_CSS = `
.seq { --line: #57606a; margin: .5rem 0 1rem; font-size: 13px; }
.seq .heads, .seq .row { display: grid; }
.seq.l3 .heads { grid-template-columns: repeat(3, 1fr); } .seq.l3 .row { grid-template-columns: repeat(6, 1fr); }
.seq.l4 .heads { grid-template-columns: repeat(4, 1fr); } .seq.l4 .row { grid-template-columns: repeat(8, 1fr); }
.seq.l5 .heads { grid-template-columns: repeat(5, 1fr); } .seq.l5 .row { grid-template-columns: repeat(10, 1fr); }
.seq .heads b { justify-self: center; background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; padding: .25rem .75rem; font-weight: 600; }
.seq .rows { position: relative; padding: .5rem 0; }
.seq .lifeline { position: absolute; top: 0; bottom: 0; border-left: 2px dashed #d0d7de; }
.seq .row { position: relative; }
.seq .arrow { position: relative; padding: .3rem .6rem 12px; overflow-wrap: anywhere; color: #1f2328; --c: var(--line); }
.seq .arrow::before { content: ''; position: absolute; left: 0; right: 0; bottom: 5px; border-bottom: 2px solid var(--c); }
.seq .arrow::after { content: ''; position: absolute; bottom: 1px; border-top: 5px solid transparent; border-bottom: 5px solid transparent; }
.seq .arrow.right::after { right: -2px; border-left: 10px solid var(--c); }
.seq .arrow.left::after { left: -2px; border-right: 10px solid var(--c); }
.seq .arrow.answer::before { border-bottom-style: dashed; }
.seq .arrow.answer { color: #424a53; }
.seq .arrow.unsent::before { border-bottom-style: dotted; }
.seq .arrow.failing { --c: #cf222e; background: #ffebe9; border-radius: 4px; }
.seq .what { font-weight: 600; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
.seq .status { display: inline-block; border-radius: 999px; padding: 0 .45rem; margin-right: .3rem; font-weight: 600; background: #dafbe1; color: #116329; }
.seq .status.s3 { background: #ddf4ff; color: #0550ae; }
.seq .status.s4, .seq .status.s5, .seq .status.none { background: #ffebe9; color: #a40e26; }
.seq .ctype { color: #6e7781; margin-right: .3rem; white-space: nowrap; }
.seq .params { display: block; color: #424a53; }
.seq .params code { display: inline-block; max-width: 100%; background: #f6f8fa; border-radius: 4px; \
padding: 0 .25rem; margin: 0 .25rem .1rem 0; font-size: 12px; }
.seq .summary { color: #424a53; font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
.seq .note { grid-column: 1 / -1; margin: .2rem 0 .6rem; border-left: 4px solid #cf222e; \
background: #fff8f8; padding: .4rem .7rem; border-radius: 4px; color: #82071e; }
.seq .note .fix { display: block; color: #1f2328; }
`;
