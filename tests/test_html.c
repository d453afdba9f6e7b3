/* The report page's pieces: the small Markdown the face writes rendered as
 * HTML (headings, lists, tables, paragraphs, inline marks, escaping, and
 * marks left open read as text), and the whole page of a synthetic run:
 * one section per claim, one plot per claim with evidence, every cell a
 * row, nothing fetched. */
#include <stdlib.h>
#include <string.h>

#include "face_test.h"
#include "html.h"

static char *render_md(const char *md) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  ASSERT(f != NULL);
  sb__md_html(md, f);
  ASSERT_EQ(fclose(f), 0);
  return buf;
}

static size_t count(const char *s, const char *what) {
  size_t n = 0;
  for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
    n++;
  return n;
}

static void markdown(void) {
  char *h = render_md("## Title\n\n- a `x<y` **b & c** [l](u.md)\n- two\n\n"
                      "| a | b |\n|---|---|\n| 1 | `2` |\npara\nline2\n\n"
                      "### Sub\n");
  ASSERT_HAS(h, "<h2>Title</h2>\n<ul>\n<li>a <code>x&lt;y</code> "
                "<strong>b &amp; c</strong> <a href=\"u.md\">l</a></li>\n"
                "<li>two</li>\n</ul>\n");
  ASSERT_HAS(h, "<table class=\"md\">\n<tr><th>a</th><th>b</th></tr>\n"
                "<tr><td>1</td><td><code>2</code></td></tr>\n</table>\n");
  ASSERT_HAS(h, "<p>para line2</p>\n<h3>Sub</h3>\n");
  free(h);
  /* Marks left open are text, escaped; nothing is lost. */
  h = render_md("a **b [c](d `e <f>");
  ASSERT_HAS(h, "<p>a **b [c](d `e &lt;f&gt;</p>");
  free(h);
  h = render_md("");
  ASSERT_EQ(strlen(h), 0);
  free(h);
}

static void page(const char *data) {
  char path[1024], why[256], *buf = NULL;
  size_t len = 0;
  sb_results *r = NULL;
  snprintf(path, sizeof path, "%s/claims-run1.json", data);
  ASSERT_EQ(sb_results_read(path, &r, why, sizeof why), 0);
  FILE *f = open_memstream(&buf, &len);
  ASSERT(f != NULL);
  sb_html_links l = {.json = "run.json", .markdown = "run.md"};
  ASSERT_EQ(sb__html_write(r, &l, f), 0);
  ASSERT_EQ(fclose(f), 0);
  ASSERT(strncmp(buf, "<!DOCTYPE html>", 15) == 0);
  ASSERT_HAS(buf, "</script>\n</body>\n</html>\n");
  ASSERT_EQ(count(buf, "<section class=\"claim "), SB_NCLAIMS);
  ASSERT_EQ(count(buf, "<span class=\"verdict\">"), SB_NCLAIMS);
  /* A plot per claim with evidence (no gnuplot directory given). */
  sb_claim cl[SB_NCLAIMS];
  size_t with = 0;
  sb__claims_judge(r, cl);
  for (int i = 0; i < SB_NCLAIMS; i++)
    with += cl[i].nev > 0;
  ASSERT_EQ(count(buf, "<svg class=\"plot\""), with);
  ASSERT_EQ(count(buf, "<tr id=\"cell-"), r->ncells);
  ASSERT_HAS(buf, "<a href=\"run.json\">run.json</a>");
  ASSERT(strstr(buf, "src=") == NULL && strstr(buf, "<link") == NULL &&
         strstr(buf, "@import") == NULL);
  free(buf);
  sb_results_free(r);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  markdown();
  page(argv[1]);
  printf("html: ok\n");
  return 0;
}
