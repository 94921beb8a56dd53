package io.jenkins.plugins.kubeadm.steps;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import groovy.lang.GroovyShell;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.net.URL;
import java.util.List;
import org.htmlunit.HttpMethod;
import org.htmlunit.WebRequest;
import org.htmlunit.html.HtmlAnchor;
import org.htmlunit.html.HtmlInput;
import org.htmlunit.html.HtmlOption;
import org.htmlunit.html.HtmlPage;
import org.htmlunit.html.HtmlSelect;
import org.htmlunit.util.NameValuePair;
import org.jenkinsci.plugins.structs.describable.DescribableModel;
import org.jenkinsci.plugins.workflow.cps.Snippetizer;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.jvnet.hudson.test.JenkinsRule;

/**
 * The Snippet Generator page as a user works it (HtmlUnit runs its scripts): every step can be picked,
 * its form renders with a field and a help text for each parameter, and the snippet it generates binds
 * back to the same step with the same parameters.
 */
public class SnippetGeneratorPageTest {

    @Rule
    public JenkinsRule j = new JenkinsRule();

    private WorkflowJob job;
    private JenkinsRule.WebClient web;

    @Before
    public void job() throws Exception {
        job = j.createProject(WorkflowJob.class, "p");
        web = j.createWebClient();
    }

    /** The generator's page with one step picked in its Sample Step list, the step's form rendered. */
    private HtmlPage pick(String functionName) throws Exception {
        HtmlPage page = web.getPage(job, Snippetizer.ACTION_URL + "/");
        // The first step's form renders after the page loads; picking another before it has would leave both forms in
        // the page (seen under load), and the generated JSON would mix their fields.
        web.waitForBackgroundJavaScript(10_000);
        HtmlSelect steps = page.getFirstByXPath("//select[contains(@class, 'dropdownList')]");
        assertNotNull("the Sample Step list", steps);
        HtmlOption option = steps.getOptions().stream().filter(o -> o.getValueAttribute().startsWith(functionName + ": ")).findFirst()
                .orElseThrow(() -> new AssertionError(functionName + " is not in the Sample Step list"));
        steps.setSelectedAttribute(option, true);
        web.waitForBackgroundJavaScript(10_000);
        return page;
    }

    /**
     * What the Generate button does: the form's JSON as the page builds it (Jenkins' buildFormTree), posted to the
     * generator. The button's own request uses fetch, which HtmlUnit does not run, so the test posts it.
     */
    private String generate(HtmlPage page) throws Exception {
        Object json = page.executeJavaScript("buildFormTree(document.forms.config);"
                + " JSON.stringify(JSON.parse(document.forms.config.elements.json.value).prototype)").getJavaScriptResult();
        assertNotNull("the form has a step's JSON: " + page.executeJavaScript("document.forms.config.elements.json.value")
                .getJavaScriptResult(), json);
        String url = page.getHtmlElementById("generatePipelineScript").getAttribute("data-url");
        WebRequest request = new WebRequest(new URL(j.getURL(), url.substring(url.indexOf(Snippetizer.GENERATE_URL))), HttpMethod.POST);
        request.setRequestParameters(List.of(new NameValuePair("json", json.toString())));
        web.addCrumb(request);
        return web.getPage(request).getWebResponse().getContentAsString().trim();
    }

    /** The step a snippet's Groovy binds to, through the same model Pipeline uses when it runs the snippet. */
    private static Step bind(String snippet) {
        int end = snippet.indexOf(' ') > 0 ? snippet.indexOf(' ') : snippet.indexOf('(');
        String function = end < 0 ? snippet : snippet.substring(0, end);
        String arguments = end < 0 ? "" : snippet.substring(end).trim();
        Map<String, Object> map = new LinkedHashMap<>();
        if (!arguments.equals("()")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> parsed = (Map<String, Object>) new GroovyShell().evaluate("[" + arguments + "]");
            map.putAll(parsed);
        }
        StepDescriptor descriptor = StepDescriptor.byFunctionName(function);
        assertNotNull(function + " is a step", descriptor);
        try {
            return DescribableModel.of(descriptor.clazz).instantiate(map);
        } catch (Exception e) {
            throw new AssertionError(snippet + " does not bind to " + descriptor.clazz.getSimpleName(), e);
        }
    }

    @Test
    public void everyStepsFormRendersWithAFieldAndAHelpTextPerParameterAndItsSnippetBindsBack() throws Exception {
        for (Class<? extends Step> stepClass : StepDocumentationTest.STEPS) {
            StepDescriptor descriptor = (StepDescriptor) j.jenkins.getDescriptorOrDie(stepClass);
            JenkinsRule.WebClient helpReader = j.createWebClient();
            HtmlPage page = pick(descriptor.getFunctionName());

            Set<String> parameters = StepDocumentationTest.properties(stepClass);
            Set<String> helped = new TreeSet<>();
            String helpPrefix = "/descriptor/" + stepClass.getName() + "/help/";
            for (Object o : page.getByXPath("//a[@helpurl]")) {
                HtmlAnchor help = (HtmlAnchor) o;
                String url = help.getAttribute("helpurl");
                int at = url.indexOf(helpPrefix);
                if (at >= 0) {
                    String parameter = url.substring(at + helpPrefix.length());
                    // Another client: opening the help in this one would leave the generator's page.
                    String text = helpReader.goTo(url.substring(at + 1)).asNormalizedText().trim();
                    assertFalse(stepClass.getSimpleName() + "'s help for " + parameter + " is empty", text.isEmpty());
                    helped.add(parameter);
                }
            }
            assertEquals(stepClass.getSimpleName() + ": a help button for each parameter", parameters, helped);
            for (String parameter : parameters) {
                assertFalse(stepClass.getSimpleName() + " has no field for " + parameter,
                        page.getElementsByName("_." + parameter).isEmpty());
            }

            String snippet = generate(page);
            assertThat(snippet, startsWith(descriptor.getFunctionName()));
            Step bound = bind(snippet);
            assertEquals(stepClass, bound.getClass());
            assertEquals("the bound step generates the same snippet", snippet, Snippetizer.object2Groovy(bound));
        }
    }

    @Test
    public void aFilledInPrepareNodeFormGeneratesItsSnippet() throws Exception {
        HtmlPage page = pick("prepareNode");
        HtmlInput label = (HtmlInput) page.getElementsByName("_.label").get(0);
        label.type("k8s-control-plane || k8s-worker");
        HtmlInput ignore = (HtmlInput) page.getElementsByName("_.preflightIgnore").get(0);
        ignore.type("NumCPU");
        String snippet = generate(page);
        assertEquals("prepareNode label: 'k8s-control-plane || k8s-worker', preflightIgnore: 'NumCPU'", snippet);
        PrepareNodeStep expected = new PrepareNodeStep();
        expected.setLabel("k8s-control-plane || k8s-worker");
        expected.setPreflightIgnore("NumCPU");
        j.assertEqualDataBoundBeans(expected, bind(snippet));
    }
}
