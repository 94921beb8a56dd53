package io.jenkins.plugins.kubeadm.core.exec;

/**
 * The fixed shell text a node runs. It contains no user value: it unpacks the staging archive from
 * standard input into a private temporary folder, exports the environment entries by name, and
 * runs the step in its own process group. When standard input closes early (the caller timed out,
 * was cancelled or lost the connection) the whole group is terminated; the folder is always removed.
 * Result files (see {@link StepRequest}) are created in a root-only folder of their own, named by a
 * random id, which {@link #FETCH_SCRIPT} empties and removes afterwards.
 */
final class NodeBootstrap {

    static final String SCRIPT = String.join("\n",
            "set -u",
            "umask 077",
            "exec 3<&0",
            "stage=$(mktemp -d \"${TMPDIR:-/tmp}/kubeadm-pipeline.XXXXXXXX\") || exit 90",
            "trap 'rm -rf \"$stage\"' EXIT",
            "tar -x -f - -b 20 <&3 -C \"$stage\" --no-same-owner --no-same-permissions || exit 91",
            "while IFS= read -r -d '' entry; do export \"$entry\"; done < \"$stage/env\"",
            "if [ -d \"$stage/files\" ]; then for f in \"$stage\"/files/*; do export \"${f##*/}=$f\"; done; fi",
            // Result files live outside the staging folder, which goes when the step ends, until collected.
            "if [ -f \"$stage/result-id\" ]; then",
            "  rid=$(cat \"$stage/result-id\")",
            "  case \"$rid\" in *[!0-9a-f]*|'') exit 92 ;; esac",
            "  [ ${#rid} -eq 32 ] || exit 92",
            "  results=\"${TMPDIR:-/tmp}/kubeadm-pipeline-results.$rid\"",
            "  mkdir -m 700 \"$results\" || exit 92",
            "  for f in \"$stage\"/results/*; do : > \"$results/${f##*/}\"; export \"${f##*/}=$results/${f##*/}\"; done",
            "fi",
            "cd /",
            "setsid bash \"$stage/step.sh\" </dev/null 3<&- & step=$!",
            "( cat >/dev/null; kill -TERM -- \"-$step\" 2>/dev/null; sleep 5; kill -KILL -- \"-$step\" 2>/dev/null ) >/dev/null 2>&1 <&3 & watcher=$!",
            "wait \"$step\"; status=$?",
            "kill \"$watcher\" 2>/dev/null",
            "exit \"$status\"",
            "");

    /**
     * Hands back a step's result files and removes them: reads the run's result id on standard input
     * and writes, per file, {@code name NUL size NUL content} to standard output.
     */
    static final String FETCH_SCRIPT = String.join("\n",
            "set -u",
            "umask 077",
            "IFS= read -r rid || exit 93",
            "case \"$rid\" in *[!0-9a-f]*|'') exit 93 ;; esac",
            "[ ${#rid} -eq 32 ] || exit 93",
            "results=\"${TMPDIR:-/tmp}/kubeadm-pipeline-results.$rid\"",
            "if [ ! -d \"$results\" ] || [ -L \"$results\" ]; then exit 94; fi",
            "for f in \"$results\"/*; do",
            "  [ -f \"$f\" ] || continue",
            "  size=$(wc -c < \"$f\") || exit 95",
            "  printf '%s\\0%s\\0' \"${f##*/}\" \"$size\"",
            "  cat \"$f\" || exit 95",
            "done",
            "rm -rf \"$results\"",
            "");

    private NodeBootstrap() {
    }

    /** The remote command line: {@code bash -c '<script>'}, prefixed with sudo for a non-root user. */
    static String commandLine(boolean sudo) {
        return commandLine(SCRIPT, sudo);
    }

    /** The remote command line that collects result files (see {@link #FETCH_SCRIPT}). */
    static String fetchCommandLine(boolean sudo) {
        return commandLine(FETCH_SCRIPT, sudo);
    }

    private static String commandLine(String script, boolean sudo) {
        String quoted = "'" + script.replace("'", "'\\''") + "'";
        return (sudo ? "sudo -n -H " : "") + "bash -c " + quoted;
    }
}
