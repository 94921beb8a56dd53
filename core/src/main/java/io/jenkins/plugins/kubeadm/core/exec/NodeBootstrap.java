package io.jenkins.plugins.kubeadm.core.exec;

/**
 * The fixed shell text a node runs. It contains no user value: it unpacks the staging archive from
 * standard input into a private temporary folder, exports the environment entries by name, and
 * runs the step in its own process group. When standard input closes early (the caller timed out,
 * was cancelled or lost the connection) the whole group is terminated; the folder is always removed.
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
            "cd /",
            "setsid bash \"$stage/step.sh\" </dev/null 3<&- & step=$!",
            "( cat >/dev/null; kill -TERM -- \"-$step\" 2>/dev/null; sleep 5; kill -KILL -- \"-$step\" 2>/dev/null ) >/dev/null 2>&1 <&3 & watcher=$!",
            "wait \"$step\"; status=$?",
            "kill \"$watcher\" 2>/dev/null",
            "exit \"$status\"",
            "");

    private NodeBootstrap() {
    }

    /** The remote command line: {@code bash -c '<script>'}, prefixed with sudo for a non-root user. */
    static String commandLine(boolean sudo) {
        String quoted = "'" + SCRIPT.replace("'", "'\\''") + "'";
        return (sudo ? "sudo -n -H " : "") + "bash -c " + quoted;
    }
}
