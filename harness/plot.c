/* `switchbench plot RESULTS.json [--out DIR]`: writes each picture's data
 * next to it and renders PNG and SVG with the gnuplot scripts in plots/. A
 * picture with no cells in the run is skipped with a note. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "face.h"
#include "face_cli.h"
#include "face_internal.h"
#include "plot_data.h"

extern char **environ;

/* 1 when dir holds the scripts (switch.gp stands for all of them). */
static int has_scripts(const char *dir) {
  char path[PATH_MAX];
  if (snprintf(path, sizeof path, "%s/switch.gp", dir) >= (int)sizeof path)
    return 0;
  return access(path, R_OK) == 0;
}

/* Finds plots/: $SB_PLOTS_DIR, the source tree this was built from, or
 * next to the executable (build tree or installed). Returns 0 or -ENOENT. */
int sb__plot_scripts(char *out, size_t len) {
  const char *env = getenv("SB_PLOTS_DIR");
  char exe[PATH_MAX];
  if (env != NULL && env[0] != '\0') {
    snprintf(out, len, "%s", env);
    return has_scripts(out) ? 0 : -ENOENT;
  }
#ifdef SB_PLOTS_SOURCE_DIR
  snprintf(out, len, "%s", SB_PLOTS_SOURCE_DIR);
  if (has_scripts(out))
    return 0;
#endif
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    static const char *const rel[] = {"../plots", "../../plots",
                                      "../share/switchbench/plots"};
    exe[n] = '\0';
    const char *dir = dirname(exe);
    for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
      snprintf(out, len, "%s/%s", dir, rel[i]);
      if (has_scripts(out))
        return 0;
    }
  }
  return -ENOENT;
}

/* Creates dir and its missing parents. Returns 0 or -errno. */
int sb__plot_mkdirs(const char *dir) {
  char path[PATH_MAX];
  if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
    return -ENAMETOOLONG;
  for (char *p = path + 1;; p++) {
    if (*p != '/' && *p != '\0')
      continue;
    char c = *p;
    *p = '\0';
    if (mkdir(path, 0777) != 0 && errno != EEXIST)
      return -errno;
    *p = c;
    if (c == '\0')
      return 0;
  }
}

/* Copies s into a gnuplot single-quoted string: no quotes, no controls. */
void sb__plot_clean(char *dst, size_t len, const char *s) {
  size_t i = 0;
  for (; *s && i + 1 < len; s++)
    dst[i++] = *s == '\''                                 ? '`'
               : ((unsigned char)*s < 0x20 || *s == '\\') ? ' '
                                                          : *s;
  dst[i] = '\0';
}

/* Runs gnuplot -e vars script, its output in dir/stem.log. Returns 0,
 * -ENOENT (no gnuplot) or -EIO (it failed). */
int sb__plot_gnuplot(const char *vars, const char *script, const char *log) {
  posix_spawn_file_actions_t fa;
  char *argv[] = {"gnuplot", "-e", (char *)vars, (char *)script, NULL};
  pid_t pid;
  int status, rc;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, log, O_WRONLY | O_CREAT | O_TRUNC,
                                   0666);
  rc = posix_spawnp(&pid, "gnuplot", &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0)
    return -rc;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return -errno;
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

int sb__plot_prepare(const char *dir, char *scripts, size_t len, FILE *notes) {
  int rc = sb__plot_mkdirs(dir);
  if (rc != 0) {
    fprintf(notes, "cannot create %s: %s\n", dir, strerror(-rc));
    return rc;
  }
  if (sb__plot_scripts(scripts, len) != 0) {
    fprintf(notes, "the gnuplot scripts (plots/*.gp) were not found: set "
                   "SB_PLOTS_DIR\n");
    return -ENOENT;
  }
  return 0;
}

int sb__plot_draw(const char *script, const char *dir, const char *scripts,
                  const char *caption, const char *stem, const char *vars,
                  FILE *notes) {
  char clean_dir[PATH_MAX], log[PATH_MAX + 16], all[3 * PATH_MAX + 2048];
  int rc = 0;
  sb__plot_clean(clean_dir, sizeof clean_dir, dir);
  snprintf(log, sizeof log, "%s/%s.log", dir, stem);
  for (int svg = 0; svg < 2 && rc == 0; svg++) {
    if (snprintf(all, sizeof all,
                 "term='%s'; out='%s/%s.%s'; dir='%s'; "
                 "scripts='%s'; caption='%s'; %s",
                 svg ? "svg" : "png", clean_dir, stem, svg ? "svg" : "png",
                 clean_dir, scripts, caption, vars) >= (int)sizeof all)
      rc = -ENAMETOOLONG;
    else
      rc = sb__plot_gnuplot(all, script, log);
  }
  if (rc == -ENOENT)
    fprintf(notes,
            "gnuplot was not found in PATH: data written to %s, "
            "no pictures\n",
            dir);
  else if (rc != 0)
    fprintf(notes, "plot %-8s gnuplot failed, see %s\n", stem, log);
  else {
    unlink(log);
    fprintf(notes, "plot %-8s %s/%s.png, %s/%s.svg\n", stem, dir, stem, dir,
            stem);
  }
  return rc;
}

int sb__plot_render(const sb_results *r, const char *dir, FILE *notes) {
  char scripts[PATH_MAX], clean_scripts[PATH_MAX];
  char caption[512], cpu[160], when[64];
  const sb_rcontext *c = &r->ctx;
  int rc = sb__plot_prepare(dir, scripts, sizeof scripts, notes), failed = 0;
  if (rc != 0)
    return rc;
  sb__plot_clean(cpu, sizeof cpu,
                 c->cpu_model[0] ? c->cpu_model : "unknown CPU");
  sb__plot_clean(when, sizeof when, c->date);
  sb__plot_clean(clean_scripts, sizeof clean_scripts, scripts);
  snprintf(caption, sizeof caption,
           "%s, %d cores / %d PUs, %s, virt %s, "
           "%s, %s, commit %.12s",
           cpu, c->cores, c->pus, c->kernel, c->virtualization, c->compiler,
           when, c->git_commit);
  sb__plot_clean(caption, sizeof caption, caption);
  for (size_t i = 0; i < sb__nplots; i++) {
    const char *stem = sb__plots[i].stem;
    char vars[1024], why[256], script[PATH_MAX];
    int prc = sb__plot_data(i, r, dir, vars, sizeof vars, why, sizeof why);
    if (prc == -ENODATA) {
      fprintf(notes, "plot %-8s skipped: %s\n", stem, why);
      continue;
    }
    if (prc != 0) {
      fprintf(notes, "plot %-8s failed writing its data: %s\n", stem,
              strerror(-prc));
      failed = prc;
      continue;
    }
    if (snprintf(script, sizeof script, "%s/%s.gp", scripts, stem) >=
        (int)sizeof script) {
      fprintf(notes, "plot %-8s path too long\n", stem);
      failed = -ENAMETOOLONG;
      continue;
    }
    if ((prc = sb__plot_draw(script, dir, clean_scripts, caption, stem, vars,
                             notes)) == -ENOENT)
      return -ENOENT;
    if (prc != 0)
      failed = prc;
  }
  return failed;
}

/* The default output: RESULTS.json -> RESULTS-plots/ beside it. */
static void default_dir(const char *results, char *out, size_t len) {
  size_t n = strlen(results);
  if (n > 5 && strcmp(results + n - 5, ".json") == 0)
    n -= 5;
  snprintf(out, len, "%.*s-plots", (int)n, results);
}

int sb_cmd_plot(int argc, char **argv) {
  const char *path, *out;
  char dir[PATH_MAX];
  sb_results *r = NULL;
  int rc = sb__cli_results_out("plot", "DIR", argc, argv, &path, &out,
                               NULL);
  if (rc != 0)
    return rc;
  if ((rc = sb__results_load(path, &r)) != 0)
    return rc;
  if (out == NULL)
    default_dir(path, dir, sizeof dir);
  else
    snprintf(dir, sizeof dir, "%s", out);
  rc = sb__plot_render(r, dir, stdout) == 0 ? 0 : 1;
  sb_results_free(r);
  return rc;
}
