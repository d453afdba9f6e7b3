/* The page's table of every cell, sortable by any column and filtered by
 * a word, and the page's style and script. The script also carries the
 * #selftest hook the browser test drives: opened with that fragment, the
 * page checks its plots, images and verdicts, sorts and filters its table
 * through the same clicks a reader makes, and writes what it found into
 * <pre id="selftest"> (data-result "pass" or "fail"). */
#include <math.h>
#include <string.h>

#include "face_format.h"
#include "face_internal.h"
#include "html.h"

/* A numeric cell: the value for sorting, the text for reading. */
static void num(FILE *out, int have, double v, const char *text) {
  if (have && isfinite(v))
    fprintf(out, "<td class=\"n\" data-v=\"%.17g\">%s</td>", v, text);
  else
    fprintf(out, "<td class=\"n\" data-v=\"\">-</td>");
}

void sb__html_cells(const sb_results *r, FILE *out) {
  fprintf(out,
          "<p><label>Filter: <input id=\"filter\" type=\"search\" "
          "placeholder=\"a word of the row: echo, steal, failed...\"></label> "
          "<span id=\"shown\">%zu</span> of %zu cells shown; click a column "
          "head to sort.</p>\n"
          "<table id=\"cells\" class=\"cells\">\n<thead><tr>"
          "<th data-col=\"index\">#</th><th data-col=\"cell\">cell</th>"
          "<th>workload</th><th>runtime</th><th>role</th><th>status</th>"
          "<th>figure</th><th data-col=\"median\">median</th><th>min</th>"
          "<th>max</th><th>cv</th><th>reps</th><th>ns per op</th>"
          "</tr></thead>\n<tbody>\n",
          r->ncells, r->ncells);
  for (size_t i = 0; i < r->ncells; i++) {
    const sb_rcell *c = &r->cells[i];
    sb_rstat h = {0}, ns = {0};
    int hh = sb_rcell_stat(c, c->headline, &h) == 0;
    int hn = sb_rcell_stat(c, "ns_per_op", &ns) == 0;
    sb_figure f = sb__headline(c);
    char m[32], lo[32], hi[32], cv[32], nb[32], reps[16];
    fprintf(out,
            "<tr id=\"cell-%zu\"><td class=\"n\" data-v=\"%zu\">%zu</td><td>",
            i, i, i);
    sb__html_esc(out, c->name);
    fprintf(out, "</td>");
    const char *texts[] = {c->workload, c->runtime, c->kind};
    for (size_t k = 0; k < sizeof texts / sizeof *texts; k++) {
      fprintf(out, "<td>");
      sb__html_esc(out, texts[k]);
      fprintf(out, "</td>");
    }
    fprintf(out, "<td%s title=\"",
            strcmp(c->status, "ok") ? " class=\"bad\"" : "");
    sb__html_esc(out, c->reason);
    fprintf(out, "\">");
    sb__html_esc(out, c->status);
    fprintf(out, "</td><td>");
    sb__html_esc(out, c->headline);
    fprintf(out, "</td>");
    num(out, hh, h.median, hh ? sb__fmt_figure(f, h.median, m, sizeof m) : "");
    num(out, hh, h.min, hh ? sb__fmt_figure(f, h.min, lo, sizeof lo) : "");
    num(out, hh, h.max, hh ? sb__fmt_figure(f, h.max, hi, sizeof hi) : "");
    snprintf(cv, sizeof cv, "%.1f%%", h.cv * 100);
    num(out, hh && h.cv >= 0, h.cv, cv);
    snprintf(reps, sizeof reps, "%zu", h.n);
    num(out, hh, (double)h.n, reps);
    num(out, hn, ns.median, hn ? sb__fmt_ns(ns.median, nb, sizeof nb) : "");
    fprintf(out, "</tr>\n");
  }
  fprintf(out, "</tbody>\n</table>\n");
}

const char sb__html_css[] =
    "body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:"
    "1200px;padding:0 1em;color:#222}\n"
    "h1{font-size:1.6em}h2{border-bottom:1px solid #ccc;margin-top:2em}\n"
    "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid "
    "#ddd;padding:.2em .5em;vertical-align:top}th{background:#f3f3f3}\n"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}td.bad{color:"
    "#a00}\n"
    "table.cells th{cursor:pointer}th[aria-sort=ascending]::after{content:"
    "' \\25B2'}th[aria-sort=descending]::after{content:' \\25BC'}\n"
    ".claim{border-left:4px solid #999;padding:.2em 1em;margin:1.5em 0}\n"
    ".v-holds{border-color:#2a7}.v-not{border-color:#c33}.v-partly{"
    "border-color:#d90}.v-undecided{border-color:#68c}\n"
    ".badge{font-weight:600}svg.plot text{font:12px sans-serif}svg.plot "
    ".pt{font-weight:600}\n"
    "svg.plot .bar{fill:#7aa6d8}svg.plot .wh{stroke:#123;stroke-width:2}\n"
    "tr:target{background:#ffd}code{background:#f4f4f4;padding:0 .2em}\n"
    "#selftest:empty{display:none}\n";

const char sb__html_js[] =
    "(function(){'use strict';\n"
    "var table=document.getElementById('cells');if(!table)return;\n"
    "var body=table.tBodies[0],heads=table.tHead.rows[0].cells;\n"
    "function val(td){var v=td.getAttribute('data-v');if(v===null)return "
    "td.textContent;var f=parseFloat(v);return isNaN(f)?Infinity:f;}\n"
    "function cmp(x,y){if(typeof x==='number'&&typeof y==='number')return "
    "x===y?0:x<y?-1:1;return String(x).localeCompare(String(y));}\n"
    "function sortBy(col,dir){var rows=Array.prototype.slice.call(body.rows);"
    "rows.sort(function(a,b){return "
    "dir*cmp(val(a.cells[col]),val(b.cells[col]))"
    ";});rows.forEach(function(r){body.appendChild(r);});for(var i=0;i<"
    "heads.length;i++)heads[i].removeAttribute('aria-sort');heads[col]."
    "setAttribute('aria-sort',dir>0?'ascending':'descending');}\n"
    "Array.prototype.forEach.call(heads,function(th,i){th.addEventListener("
    "'click',function(){sortBy(i,th.getAttribute('aria-sort')==='ascending'"
    "?-1:1);});});\n"
    "var filter=document.getElementById('filter'),shown=document."
    "getElementById('shown');\n"
    "function apply(){var q=filter.value.toLowerCase(),n=0;Array.prototype."
    "forEach.call(body.rows,function(r){var on=r.textContent.toLowerCase()."
    "indexOf(q)>=0;r.style.display=on?'':'none';n+=on;});shown.textContent="
    "n;return n;}\n"
    "filter.addEventListener('input',apply);\n"
    "function colOf(name){for(var i=0;i<heads.length;i++)if(heads[i]."
    "getAttribute('data-col')===name)return i;return -1;}\n"
    "function ordered(col,dir){var last=null,ok=true;Array.prototype.forEach"
    ".call(body.rows,function(r){var v=val(r.cells[col]);if(last!==null&&"
    "dir*cmp(last,v)>0)ok=false;last=v;});return ok;}\n"
    "function selftest(){var res=[],fail=0;function check(name,ok,what){res."
    "push((ok?'PASS ':'FAIL ')+name+': '+what);if(!ok)fail++;}\n"
    "var svgs=document.querySelectorAll('svg'),drawn=0;for(var i=0;i<svgs."
    "length;i++){var b=svgs[i].getBoundingClientRect();if(b.width>0&&b."
    "height>0&&svgs[i].querySelector('rect,path,line,polyline,polygon'))"
    "drawn++;}check('plots',svgs.length>0&&drawn===svgs.length,drawn+' of '+"
    "svgs.length+' drawn');\n"
    "var imgs=document.images,ok=0;for(i=0;i<imgs.length;i++)if(imgs[i]."
    "complete&&imgs[i].naturalWidth>0)ok++;check('images',ok===imgs.length,"
    "ok+' of '+imgs.length+' loaded');\n"
    "var cl=document.querySelectorAll('.claim'),v=0;for(i=0;i<cl.length;i++)"
    "{var e=cl[i].querySelector('.verdict');if(e&&/^(holds|partly holds|"
    "does not hold|undecided on this run|not measured in this run)/.test(e."
    "textContent))v++;}check('verdicts',cl.length>0&&v===cl.length,v+' of '+"
    "cl.length+' claims');\n"
    "var m=colOf('median'),c=colOf('cell');heads[m].click();check('sort "
    "median ascending',ordered(m,1),heads[m].getAttribute('aria-sort'));"
    "heads[m].click();check('sort median descending',ordered(m,-1),heads[m]."
    "getAttribute('aria-sort'));heads[c].click();check('sort cell "
    "ascending',ordered(c,1),body.rows[0].cells[c].textContent);\n"
    "filter.value='zz-no-such-cell';var none=apply();filter.value='';var "
    "all=apply();check('filter',none===0&&all===body.rows.length,none+' then "
    "'+all);\n"
    "var out=document.getElementById('selftest');out.textContent=res.join("
    "'\\n');out.setAttribute('data-result',fail?'fail':'pass');}\n"
    "if(location.hash==='#selftest')selftest();\n"
    "})();\n";
