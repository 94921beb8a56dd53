package io.jenkins.plugins.kubeadm.lab;

import io.jenkins.plugins.kubeadm.kit.KitJenkins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The lab's Pipeline job: Jenkinsfile.example as it is in the repository, started with the lab's
 * parameters. A Declarative job only learns its parameters from its first build, so the job gets
 * their definitions before that build (Jenkins keeps only values the job defines); the Jenkinsfile's
 * own {@code parameters} replace them when it runs.
 */
final class LabJob {

    static final String NAME = "kubeadm-lab";

    private LabJob() {
    }

    static void create(KitJenkins jenkins, Path repository) throws IOException, InterruptedException {
        jenkins.pipelineJob(NAME, Files.readString(repository.resolve("Jenkinsfile.example")));
    }

    /** Starts a build with these values (Boolean for boolean parameters) and returns its number. */
    static int start(KitJenkins jenkins, Map<String, Object> parameters) throws IOException, InterruptedException {
        StringBuilder script = new StringBuilder(String.join("\n",
                "import hudson.model.*",
                "def job = jenkins.model.Jenkins.get().getItemByFullName('" + NAME + "')",
                "def definitions = []",
                "def values = []", ""));
        parameters.forEach((name, value) -> {
            String n = groovyString(name);
            if (value instanceof Boolean b) {
                script.append("definitions << new BooleanParameterDefinition(").append(n).append(", ").append(b).append(", '')\n");
                script.append("values << new BooleanParameterValue(").append(n).append(", ").append(b).append(")\n");
            } else {
                script.append("definitions << new StringParameterDefinition(").append(n).append(", '', '', false)\n");
                script.append("values << new StringParameterValue(").append(n).append(", ").append(groovyString(value.toString())).append(")\n");
            }
        });
        script.append(String.join("\n",
                "job.removeProperty(ParametersDefinitionProperty)",
                "job.addProperty(new ParametersDefinitionProperty(definitions))",
                "def build = job.scheduleBuild2(0, new ParametersAction(values)).waitForStart()",
                "print build.number", ""));
        return Integer.parseInt(jenkins.groovy(script.toString()).trim());
    }

    static String groovyString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
