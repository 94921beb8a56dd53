package io.jenkins.plugins.kubeadm.steps;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.beans.Introspector;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.junit.Test;
import org.kohsuke.stapler.DataBoundSetter;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.helpers.DefaultHandler;

/**
 * Every parameter of every pipeline step is documented where Jenkins users look for it: the Snippet
 * Generator renders {@code <Step>/config.jelly} and shows {@code help.html} and {@code help-<property>.html}
 * from the step's resource folder. No Jenkins instance is needed: these are classpath resources.
 */
public class StepDocumentationTest {

    private static final String PACKAGE = StepDocumentationTest.class.getPackage().getName();

    /** The steps this plugin ships; the package scan below must find exactly these. */
    static final List<Class<? extends Step>> STEPS = List.<Class<? extends Step>>of(
            PrepareNodeStep.class, InstallRuntimeStep.class, KubeadmInitStep.class, JoinWorkersStep.class,
            ResetNodeStep.class, ApplyCniStep.class, DeployWorkloadStep.class, InstallGpuPluginStep.class, VerifyClusterStep.class,
            RemoveNodeStep.class, RenewCertificatesStep.class, UpgradeClusterStep.class);

    @Test
    public void everyConcreteStepOfThePackageIsListed() throws Exception {
        Set<String> found = new TreeSet<>();
        for (String className : classNamesInPackage()) {
            Class<?> c = Class.forName(PACKAGE + "." + className);
            if (Step.class.isAssignableFrom(c) && !Modifier.isAbstract(c.getModifiers())) {
                found.add(c.getSimpleName());
            }
        }
        Set<String> listed = new TreeSet<>();
        for (Class<? extends Step> step : STEPS) {
            listed.add(step.getSimpleName());
        }
        assertEquals("step classes in " + PACKAGE + " (a new step needs its documentation and an entry in STEPS)",
                listed, found);
    }

    @Test
    public void setterDiscoveryFindsTheKnownParameters() {
        // Guards the other checks against passing on nothing: a reflection mistake would find no setters.
        assertEquals(new TreeSet<>(List.of("label", "timeoutMinutes", "inventory", "inventoryFile", "sshCredentialsId",
                "knownHostsFile", "knownHostsCredentialsId", "acceptAnyHostKey")), properties(ResetNodeStep.class));
        Set<String> init = properties(KubeadmInitStep.class);
        assertTrue("KubeadmInitStep properties " + init, init.containsAll(List.of("label", "timeoutMinutes",
                "podNetworkCidr", "serviceCidr", "joinTokenTtl", "controlPlaneSchedulable", "joinCredentialsId")));
        Set<String> cni = properties(ApplyCniStep.class);
        assertTrue("ApplyCniStep properties " + cni, cni.containsAll(List.of("kubeconfigCredentialsId", "timeoutMinutes", "cni", "iface")));
    }

    @Test
    public void everyStepAndEveryParameterHasHelpAndAFormField() throws Exception {
        List<String> problems = new ArrayList<>();
        for (Class<? extends Step> step : STEPS) {
            String folder = step.getSimpleName() + "/";
            checkHelpFile(step, folder + "help.html", problems);

            Set<String> properties = properties(step);
            URL config = step.getResource(folder + "config.jelly");
            Set<String> formFields = new TreeSet<>();
            if (config == null) {
                problems.add(folder + "config.jelly is missing");
            } else {
                try {
                    formFields = formFields(step, config);
                } catch (Exception e) {
                    problems.add(folder + "config.jelly is not well-formed XML: " + e.getMessage());
                }
            }
            for (String property : properties) {
                checkHelpFile(step, helpFolderFor(step, "help-" + property + ".html") + "help-" + property + ".html", problems);
                if (config != null && !formFields.contains(property)) {
                    problems.add(folder + "config.jelly has no field=\"" + property + "\"");
                }
            }
            for (String formField : formFields) {
                if (!properties.contains(formField)) {
                    problems.add(folder + "config.jelly has field=\"" + formField + "\", which is no @DataBoundSetter property"
                            + " of " + step.getSimpleName() + " " + properties);
                }
            }
        }
        if (!problems.isEmpty()) {
            fail("undocumented step parameters:\n  " + String.join("\n  ", problems));
        }
    }

    /** Property names of the step's {@code @DataBoundSetter} methods and fields, its superclasses' included. */
    static Set<String> properties(Class<?> step) {
        Set<String> names = new TreeSet<>();
        for (Method method : step.getMethods()) {
            if (method.isAnnotationPresent(DataBoundSetter.class)) {
                String name = method.getName();
                assertTrue(step.getSimpleName() + "." + name + " is a @DataBoundSetter not named set<Property>",
                        name.startsWith("set") && name.length() > 3);
                names.add(Introspector.decapitalize(name.substring(3)));
            }
        }
        for (Class<?> c = step; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (field.isAnnotationPresent(DataBoundSetter.class)) {
                    names.add(field.getName());
                }
            }
        }
        return names;
    }

    /**
     * The resource folder of the nearest class, from the step up through its superclasses, that has
     * this help file: Jenkins' Descriptor.getHelpFile searches a step's class and then its ancestors,
     * so parameters a base class declares (KubeadmStep's) have their help once, in its folder.
     * The step's own folder when none has it (then reported missing there).
     */
    private static String helpFolderFor(Class<?> step, String file) {
        for (Class<?> c = step; c != null && c != Object.class; c = c.getSuperclass()) {
            if (c.getResource(c.getSimpleName() + "/" + file) != null) {
                return c.getSimpleName() + "/";
            }
        }
        return step.getSimpleName() + "/";
    }

    /** A help file exists next to the step class (or an ancestor), has text, is well-formed and carries no script. */
    private static void checkHelpFile(Class<?> step, String path, List<String> problems) {
        URL help = step.getResource(path);
        if (help == null) {
            problems.add(path + " is missing");
            return;
        }
        try {
            Document document = parse(help);
            String text = document.getDocumentElement().getTextContent().trim();
            if (text.isEmpty()) {
                problems.add(path + " has no text");
            }
            if (document.getElementsByTagName("script").getLength() > 0) {
                problems.add(path + " contains a <script>");
            }
        } catch (Exception e) {
            problems.add(path + " is not well-formed: " + e.getMessage());
        }
    }

    /**
     * The values of every field="..." attribute in a Jelly view, and in the pages it includes with
     * {@code <st:include page="..." class="${descriptor.clazz}"/>}, found as Stapler finds them: in the
     * step's resource folder or an ancestor's.
     */
    private static Set<String> formFields(Class<?> step, URL jelly) throws Exception {
        Set<String> fields = new TreeSet<>();
        NodeList elements = parse(jelly).getElementsByTagName("*");
        for (int i = 0; i < elements.getLength(); i++) {
            Element element = (Element) elements.item(i);
            if (element.hasAttribute("field")) {
                fields.add(element.getAttribute("field"));
            }
            if (element.getTagName().equals("st:include")) {
                String page = element.getAttribute("page");
                URL included = step.getResource(helpFolderFor(step, page) + page);
                assertTrue(step.getSimpleName() + " includes " + page + ", which no ancestor has", included != null);
                fields.addAll(formFields(step, included));
            }
        }
        return fields;
    }

    private static Document parse(URL resource) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newDefaultInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        DocumentBuilder builder = factory.newDocumentBuilder();
        builder.setErrorHandler(new DefaultHandler()); // errors reach the caller as exceptions, not as stderr noise
        try (InputStream in = resource.openStream()) {
            return builder.parse(in);
        }
    }

    /** Top-level class names of this package, from the directory or jar the step classes were loaded from. */
    private static List<String> classNamesInPackage() throws IOException, URISyntaxException {
        URL self = PrepareNodeStep.class.getResource(PrepareNodeStep.class.getSimpleName() + ".class");
        if (self == null) {
            throw new IllegalStateException("cannot locate PrepareNodeStep.class");
        }
        List<String> names = new ArrayList<>();
        if ("file".equals(self.getProtocol())) {
            File[] files = new File(self.toURI()).getParentFile().listFiles();
            if (files != null) {
                for (File file : files) {
                    addTopLevelClass(file.getName(), names);
                }
            }
        } else if ("jar".equals(self.getProtocol())) {
            String prefix = PACKAGE.replace('.', '/') + "/";
            JarURLConnection connection = (JarURLConnection) self.openConnection();
            connection.setUseCaches(false);
            try (JarFile jar = connection.getJarFile()) {
                for (Enumeration<JarEntry> entries = jar.entries(); entries.hasMoreElements(); ) {
                    String entry = entries.nextElement().getName();
                    if (entry.startsWith(prefix) && entry.indexOf('/', prefix.length()) < 0) {
                        addTopLevelClass(entry.substring(prefix.length()), names);
                    }
                }
            }
        } else {
            throw new IllegalStateException("cannot list the classes of " + PACKAGE + " from " + self);
        }
        return names;
    }

    private static void addTopLevelClass(String fileName, List<String> names) {
        if (fileName.endsWith(".class") && fileName.indexOf('$') < 0 && !fileName.equals("package-info.class")) {
            names.add(fileName.substring(0, fileName.length() - ".class".length()));
        }
    }
}
