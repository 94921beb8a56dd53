package io.jenkins.plugins.kubeadm.vars;

import com.lesfurets.jenkins.unit.BasePipelineTest;
import groovy.lang.Closure;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.Before;

/**
 * JenkinsPipelineUnit over this repository's vars/ and Jenkinsfile.example: the plugin's eight steps
 * are stand-ins that record each call and refuse a parameter the real step does not have (as Jenkins
 * does), and {@code error} stops the run as it does in Jenkins.
 */
abstract class PipelineUnitBase extends BasePipelineTest {

    /** One call of one of the plugin's steps, as the pipeline made it. */
    record StepCall(String step, Map<String, Object> args) {
        @Override
        public String toString() {
            return step + args;
        }
    }

    /** What {@code error(message)} throws; Jenkins ends the build the same way. */
    static final class PipelineError extends RuntimeException {
        PipelineError(String message) {
            super(message);
        }
    }

    static final Map<String, Set<String>> STEP_PARAMETERS = StepsUnderTest.parameters();

    final List<StepCall> stepCalls = new ArrayList<>();
    final List<String> echoes = new ArrayList<>();

    @Before
    public void setUpPipelineUnit() throws Exception {
        setBaseScriptRoot(StepsUnderTest.REPOSITORY.toString());
        setScriptRoots(new String[] {StepsUnderTest.REPOSITORY.toString()});
        setScriptExtension("groovy");
        super.setUp();
        for (String step : STEP_PARAMETERS.keySet()) {
            allow(step, List.of(Map.class), args -> recordStep(step, args[0]));
        }
        allow("error", List.of(String.class), args -> {
            throw new PipelineError(String.valueOf(args[0]));
        });
        allow("echo", List.of(String.class), args -> echoes.add(String.valueOf(args[0])));
    }

    private Object recordStep(String step, Object arg) {
        @SuppressWarnings("unchecked")
        Map<String, Object> args = new LinkedHashMap<>((Map<String, Object>) arg);
        Set<String> unknown = new TreeSet<>(args.keySet());
        unknown.removeAll(STEP_PARAMETERS.get(step));
        if (!unknown.isEmpty()) {
            // What Jenkins says for a named argument the step class has no setter for.
            throw new IllegalArgumentException(step + ": invalid parameter(s) " + unknown + "; accepted: " + STEP_PARAMETERS.get(step));
        }
        // GStrings become Strings, as Jenkins' step binding does, so assertions compare plain values.
        args.replaceAll((key, value) -> value instanceof CharSequence ? value.toString() : value);
        stepCalls.add(new StepCall(step, args));
        return null;
    }

    /** Registers a pipeline method the script may call, implemented in Java. */
    final void allow(String name, List<Class<?>> parameterTypes, Function<Object[], Object> body) {
        @SuppressWarnings({"rawtypes", "unchecked"})
        List<Class> types = (List) parameterTypes;
        getHelper().registerAllowedMethod(name, types, new JavaClosure(parameterTypes.size(), body));
    }

    /** Runs a closure the script passed in (a stage body, a {@code when} condition). */
    static Object run(Object closure) {
        return ((Closure<?>) closure).call();
    }

    static StepCall call(String step, Object... keysAndValues) {
        return new StepCall(step, namedArguments(keysAndValues));
    }

    /** Groovy's {@code name: value, ...} in Java: alternating names and values, in order. */
    static Map<String, Object> namedArguments(Object... keysAndValues) {
        Map<String, Object> args = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            args.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return args;
    }

    /**
     * A Groovy closure over a Java function. The helper spreads a call's arguments over the closure's
     * parameters when there are no more of them than {@code maximumNumberOfParameters}.
     */
    static final class JavaClosure extends Closure<Object> {
        private static final long serialVersionUID = 1L;
        private final transient Function<Object[], Object> body;

        JavaClosure(int parameterCount, Function<Object[], Object> body) {
            super(null);
            this.body = body;
            this.maximumNumberOfParameters = parameterCount;
        }

        public Object doCall(Object... args) {
            return body.apply(args);
        }
    }
}
