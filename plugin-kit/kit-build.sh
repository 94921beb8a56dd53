#!/usr/bin/env bash
# Builds and tests plugin/ against the Jenkins kit (JENKINS_KIT: a real jenkins.war, its plugins and
# the jenkins-test-harness jars), for machines without the Jenkins Maven repository. Maven runs it
# (plugin-kit/pom.xml) in three phases:
#   compile  plugin/src/main/java with javac, the kit's jars as class and annotation processor path
#            (so SezPoz writes the @Extension index and Stapler the constructor parameter names);
#            plugin/src/main/resources, and vars/ + resources/ as the bundled pipeline library
#   test     plugin/src/test/java: standard JenkinsRule tests, run with JUnit 4 against the kit's war
#            and its 65 plugins, our plugin loaded from the.jpl as maven-hpi-plugin would
#   package  target/kubeadm-pipeline.hpi (what users install)
# Plugin-Dependencies come from plugin/pom.xml (its one-line plugin dependencies), so both builds
# declare the same minimum versions.
set -euo pipefail

phase=${1:?usage: kit-build.sh compile|test|package}
: "${PLUGIN_SOURCES:?PLUGIN_SOURCES (the plugin/ folder) is not set}"
: "${BUILD_DIR:?BUILD_DIR is not set}"
: "${PLUGIN_VERSION:?PLUGIN_VERSION is not set}"

fail() { echo "kit-build: $*" >&2; exit 1; }

if [[ -z ${JENKINS_KIT:-} || ! -f ${JENKINS_KIT:-/nonexistent}/jenkins.war ]]; then
  fail "the Jenkins kit is missing: JENKINS_KIT='${JENKINS_KIT:-}' holds no jenkins.war. The plugin cannot be compiled or tested without it; .ci/run sets JENKINS_KIT=../shared/jenkins-kit (or build with mvn -Pjenkins where the Jenkins Maven repository is reachable)."
fi
KIT=$(cd "$JENKINS_KIT" && pwd)
for needed in plugins test-harness extra; do
  [[ -d $KIT/$needed ]] || fail "the Jenkins kit at $KIT has no $needed/ folder"
done
REPO=$(cd "$PLUGIN_SOURCES/.." && pwd)
PLUGIN=$(cd "$PLUGIN_SOURCES" && pwd)
OUT=$BUILD_DIR/kit
mkdir -p "$OUT"

SHORT_NAME=kubeadm-pipeline
LONG_NAME="kubeadm Pipeline"
# The oldest Jenkins the plugin claims to run on: the baseline of plugin/pom.xml.
JENKINS_VERSION=$(sed -n 's:.*<jenkins.baseline>\(.*\)</jenkins.baseline>.*:\1:p' "$PLUGIN/pom.xml" | head -1)
[[ -n $JENKINS_VERSION ]] || fail "plugin/pom.xml declares no <jenkins.baseline>"

# The kit's jars, unpacked once outside the checkout (the kit may be read-only), keyed by content.
kit_lib() {
  local key cache
  key=$( (cd "$KIT" && sha256sum jenkins.war plugins/*.jpi) | sha256sum | cut -c1-16)
  cache=${KUBEADM_PIPELINE_CACHE:-/var/cache/kubeadm-pipeline-test}/jenkins-kit-lib/$key
  if [[ ! -f $cache/.complete ]]; then
    echo "kit-build: unpacking the kit's jars into $cache (once)" >&2
    local tmp
    tmp=$(mktemp -d "${cache%/*}.tmp.XXXXXX" 2>/dev/null || { mkdir -p "${cache%/*}"; mktemp -d "${cache%/*}/.tmp.XXXXXX"; })
    mkdir -p "$tmp/core" "$tmp/plugins" "$tmp/optional"
    unzip -q -j -o "$KIT/jenkins.war" 'WEB-INF/lib/*.jar' -d "$tmp/core"
    local p n
    for p in "$KIT"/plugins/*.jpi; do
      n=$(basename "$p" .jpi)
      mkdir -p "$tmp/plugins/$n"
      unzip -q -j -o "$p" 'WEB-INF/lib/*.jar' -d "$tmp/plugins/$n" 2>/dev/null || true
      # bouncycastle-api keeps its provider in optional-lib; without it credentials & co. do not load.
      unzip -q -j -o "$p" 'WEB-INF/optional-lib/*.jar' -d "$tmp/optional" 2>/dev/null || true
    done
    mkdir -p "${cache%/*}"
    rm -rf "$cache"
    mv "$tmp" "$cache"
    touch "$cache/.complete"
  fi
  echo "$cache"
}

join_cp() { paste -sd: -; }

LIB=$(kit_lib)
# Jenkins core first with slf4j-api ahead of cli (which carries its own copy of LoggerFactory).
core_jars() {
  local jar
  ls "$LIB"/core/slf4j-api-*.jar
  for jar in "$LIB"/core/*.jar; do
    [[ $jar == */slf4j-api-* ]] || echo "$jar"
  done
}
KIT_CORE_CP=$(core_jars | join_cp)
KIT_PLUGINS_CP=$(ls "$LIB"/plugins/*/*.jar | join_cp)
KIT_OPTIONAL_CP=$(ls "$LIB"/optional/*.jar 2>/dev/null | join_cp || true)
KIT_EXTRA_CP=$(ls "$KIT"/extra/*.jar | join_cp)
HARNESS_CP=$(ls "$KIT"/test-harness/*.jar | join_cp)
BUNDLED_CP=$(cat "$OUT/bundled.classpath")
CENTRAL_CP=$(cat "$OUT/harness-central.classpath")
KIT_CP="$KIT_CORE_CP:$KIT_EXTRA_CP:$KIT_PLUGINS_CP"

CLASSES=$OUT/classes
TEST_CLASSES=$OUT/test-classes
LIBRARY_FOLDER=io/jenkins/plugins/kubeadm/bundled-library

# "<dependency><groupId>G</groupId><artifactId>A</artifactId><version>V</version></dependency>" lines
plugin_dependencies() {
  sed -n 's:^ *<dependency><groupId>[^<]*</groupId><artifactId>\([^<]*\)</artifactId><version>\([^<]*\)</version></dependency>.*:\1\:\2:p' \
    "$PLUGIN/pom.xml" | paste -sd, -
}

write_manifest() { # file, extra attribute lines...
  local file=$1; shift
  {
    echo "Manifest-Version: 1.0"
    echo "Short-Name: $SHORT_NAME"
    echo "Long-Name: $LONG_NAME"
    echo "Extension-Name: $SHORT_NAME"
    echo "Group-Id: io.jenkins.plugins"
    echo "Plugin-Version: $PLUGIN_VERSION"
    echo "Jenkins-Version: $JENKINS_VERSION"
    echo "Minimum-Java-Version: 17"
    echo "Url: https://github.com/jenkinsci/kubeadm-pipeline-plugin"
    echo "Plugin-Dependencies: $(plugin_dependencies)"
    local line
    for line in "$@"; do echo "$line"; done
  } | fold_manifest > "$file"
}

# Manifest lines are at most 72 bytes; longer ones continue on lines starting with a space.
fold_manifest() {
  awk '{ line=$0; first=1; while (length(line) > (first ? 72 : 71)) { n = first ? 72 : 71; printf "%s%s\n", (first ? "" : " "), substr(line, 1, n); line = substr(line, n + 1); first = 0 } printf "%s%s\n", (first ? "" : " "), line }'
}

compile() {
  rm -rf "$CLASSES"
  mkdir -p "$CLASSES"
  local sources
  sources=$(find "$PLUGIN/src/main/java" -name '*.java')
  [[ -n $sources ]] || fail "no sources under $PLUGIN/src/main/java"
  # shellcheck disable=SC2086
  javac --release 17 -parameters -encoding UTF-8 -Xlint:-options -nowarn \
    -cp "$BUNDLED_CP:$KIT_CP" -processorpath "$KIT_CP" -d "$CLASSES" $sources
  if [[ -d $PLUGIN/src/main/resources ]]; then
    cp -r "$PLUGIN/src/main/resources/." "$CLASSES/"
  fi
  # The bundled pipeline library: vars/ and resources/ as a library checkout would have them.
  mkdir -p "$CLASSES/$LIBRARY_FOLDER"
  cp -r "$REPO/vars" "$CLASSES/$LIBRARY_FOLDER/vars"
  cp -r "$REPO/resources" "$CLASSES/$LIBRARY_FOLDER/resources"
  echo "kit-build: compiled plugin/ against the kit ($(find "$CLASSES" -name '*.class' | wc -l) classes)"
}

# The tests load the plugin from a jar with the plugin manifest, as Jenkins does: its class filter
# (JEP-200) lets XStream and remoting carry only classes from such jars (a folder of classes is refused).
PLUGIN_JAR=$OUT/plugin-under-test/$SHORT_NAME.jar

test_classpath() {
  echo "$TEST_CLASSES:$PLUGIN_JAR:$BUNDLED_CP:$HARNESS_CP:$CENTRAL_CP:$KIT_CORE_CP:$KIT_EXTRA_CP:$KIT_PLUGINS_CP${KIT_OPTIONAL_CP:+:$KIT_OPTIONAL_CP}"
}

run_tests() {
  rm -rf "$TEST_CLASSES" "${PLUGIN_JAR%/*}"
  mkdir -p "$TEST_CLASSES/test-dependencies" "$OUT/webapp" "${PLUGIN_JAR%/*}"
  write_manifest "$OUT/MANIFEST.MF"
  jar --create --file "$PLUGIN_JAR" --manifest "$OUT/MANIFEST.MF" -C "$CLASSES" .
  local cp sources
  cp=$(test_classpath)
  sources=$(find "$PLUGIN/src/test/java" -name '*.java')
  [[ -n $sources ]] || fail "no tests under $PLUGIN/src/test/java"
  # shellcheck disable=SC2086
  javac --release 17 -parameters -encoding UTF-8 -Xlint:-options -nowarn \
    -cp "$cp" -processorpath "$cp" -d "$TEST_CLASSES" $sources
  if [[ -d $PLUGIN/src/test/resources ]]; then
    cp -r "$PLUGIN/src/test/resources/." "$TEST_CLASSES/"
  fi
  # What maven-hpi-plugin writes for a plugin's tests: the plugin under test as a linked plugin
  # (the.jpl), and the plugins it runs with (test-dependencies/index).
  local libraries
  libraries=$(echo "$PLUGIN_JAR:$BUNDLED_CP" | tr : ,)
  write_manifest "$TEST_CLASSES/the.jpl" "Libraries: $libraries" "Resource-Path: $OUT/webapp"
  local p
  for p in "$KIT"/plugins/*.jpi; do
    ln -s "$p" "$TEST_CLASSES/test-dependencies/$(basename "$p")"
    basename "$p" .jpi >> "$TEST_CLASSES/test-dependencies/index"
  done
  local tests
  tests=$(cd "$TEST_CLASSES" && find . -name '*Test.class' ! -name '*$*' | sed 's:^\./::; s:\.class$::; s:/:.:g' | sort)
  # KIT_TESTS=ClassName,... runs only those (while developing); CI runs them all.
  if [[ -n ${KIT_TESTS:-} ]]; then
    tests=$(echo "$tests" | grep -E "\.($(echo "$KIT_TESTS" | tr , '|'))$" || true)
  fi
  [[ -n $tests ]] || fail "no *Test classes were compiled from $PLUGIN/src/test/java"
  mkdir -p "$OUT/tmp"
  echo "kit-build: running the JenkinsRule tests against $KIT/jenkins.war:" $tests
  # shellcheck disable=SC2086
  (cd "$OUT" && java -Xmx1g -Djava.awt.headless=true \
    -Djth.jenkins-war.path="$KIT/jenkins.war" -DbuildDirectory="$OUT" -Djava.io.tmpdir="$OUT/tmp" \
    -Dhudson.Main.development=false \
    --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED \
    --add-opens java.base/java.util=ALL-UNNAMED \
    -cp "$cp" org.junit.runner.JUnitCore $tests)
}

package() {
  [[ -d $CLASSES ]] || fail "nothing compiled: run the compile phase first"
  local hpi=$OUT/hpi
  rm -rf "$hpi"
  mkdir -p "$hpi/WEB-INF/lib" "$hpi/META-INF"
  write_manifest "$OUT/MANIFEST.MF"
  # The plugin jar carries the plugin manifest too: Jenkins' class filter (JEP-200) lets remoting carry
  # the classes of a jar whose manifest says it is a plugin.
  jar --create --file "$hpi/WEB-INF/lib/$SHORT_NAME.jar" --manifest "$OUT/MANIFEST.MF" -C "$CLASSES" .
  local jarfile
  for jarfile in $(echo "$BUNDLED_CP" | tr : ' '); do
    cp "$jarfile" "$hpi/WEB-INF/lib/"
  done
  rm -f "$BUILD_DIR/$SHORT_NAME.hpi"
  jar --create --file "$BUILD_DIR/$SHORT_NAME.hpi" --manifest "$OUT/MANIFEST.MF" -C "$hpi" WEB-INF
  echo "kit-build: packaged $BUILD_DIR/$SHORT_NAME.hpi (Jenkins $JENKINS_VERSION or newer; depends on $(plugin_dependencies))"
}

case $phase in
  compile) compile ;;
  test) run_tests ;;
  package) package ;;
  *) fail "unknown phase $phase (compile, test or package)" ;;
esac
