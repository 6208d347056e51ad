package sitrep.opensearch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.core.common.transport.TransportAddress;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;
import org.opensearch.transport.TransportService;

/**
 * One real OpenSearch 2.19 node for Sitrep's tests, run in this JVM until the
 * process gets SIGTERM (a clean close) or SIGKILL (a crash, for the cluster
 * tests). Bound to 127.0.0.1 only; no security plugin, so plain HTTP, no auth.
 *
 * <p>Why a {@link Node} subclass and not the test framework's {@code MockNode}:
 * both reach the same protected constructor that takes plugin classes, and
 * MockNode's own overrides only act when its mock plugins are installed, so it
 * would add nothing here but {@code org.opensearch.test:framework}'s jars
 * (JUnit, randomizedtesting, lucene-test-framework, Mockito) to download and
 * to load. The distribution's {@code Bootstrap} is not used either: it installs
 * a security manager and runs the production checks, which need the plugin
 * folders of an unpacked distribution; here the two plugins are classes on
 * the classpath.
 *
 * <p>One process is one node, so a test can kill one node of a cluster by PID.
 * When the node is up, stdout gets two lines and nothing else:
 * <pre>
 * SITREP_OPENSEARCH_TRANSPORT=127.0.0.1:PORT
 * SITREP_OPENSEARCH_URL=http://127.0.0.1:PORT
 * </pre>
 */
public final class SitrepNode {

    private static final String USAGE = String.join(
        "\n",
        "Usage: opensearch-node start --data DIR [options]",
        "  --data DIR              the node's folder (data, logs); created if missing",
        "  --port N                HTTP port, 0 for a free one (default 9200)",
        "  --transport-port N      node-to-node port, 0 for a free one (default 0)",
        "  --name NAME             node name (default sitrep-1)",
        "  --cluster NAME          cluster name (default sitrep-test)",
        "  --seed-hosts H:P,...    other nodes' transport addresses (cluster mode)",
        "  --initial-managers N,.. names of the nodes that elect the first manager (cluster mode)",
        "  --exit-with PID         stop when process PID ends (a test run that dies leaves no node)",
        "Without --seed-hosts and --initial-managers the node is a cluster of one",
        "(discovery.type: single-node)."
    );

    private static final String LOOPBACK = "127.0.0.1";

    /** The node, with the two plugins a distribution would load from its modules folder. */
    static final class PluginNode extends Node {
        PluginNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            // forbidPrivateIndexSettings: true, as a distribution's node.
            super(environment, plugins, true);
        }
    }

    /** The command line, checked. */
    record Options(Path data, String port, String transportPort, String name, String cluster,
                   List<String> seedHosts, List<String> initialManagers, long exitWith) {

        boolean clusterMode() {
            return !seedHosts.isEmpty() || !initialManagers.isEmpty();
        }
    }

    /** A command line the user can fix; main prints its message after "Error: ". */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private SitrepNode() {}

    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = parse(args);
        } catch (UsageException e) {
            System.err.println("Error: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        Node node;
        try {
            node = start(options);
        } catch (Exception e) {
            // The log (stderr) has the stack trace; this line is what a caller shows.
            System.err.println("Error: the OpenSearch node did not start: " + e);
            System.exit(1);
            return;
        }
        TransportAddress transport = node.injector().getInstance(TransportService.class).boundAddress().publishAddress();
        TransportAddress http = node.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress();
        System.out.println("SITREP_OPENSEARCH_TRANSPORT=" + transport.getAddress() + ":" + transport.getPort());
        System.out.println("SITREP_OPENSEARCH_URL=http://" + http.getAddress() + ":" + http.getPort());
        System.out.flush();
        // The node's threads serve requests; this one only keeps main from returning.
        new CountDownLatch(1).await();
    }

    static Options parse(String[] args) throws UsageException {
        Path data = null;
        String port = "9200";
        String transportPort = "0";
        String name = "sitrep-1";
        String cluster = "sitrep-test";
        List<String> seedHosts = List.of();
        List<String> initialManagers = List.of();
        long exitWith = 0;
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("-h") || flag.equals("--help")) {
                System.out.println(USAGE);
                System.exit(0);
            }
            if (i + 1 >= args.length) {
                throw new UsageException(flag.startsWith("--") ? flag + " needs a value" : "unexpected argument " + flag);
            }
            String value = args[++i];
            switch (flag) {
                case "--data" -> data = Path.of(value).toAbsolutePath();
                case "--port" -> port = checkPort(flag, value);
                case "--transport-port" -> transportPort = checkPort(flag, value);
                case "--name" -> name = checkName(flag, value);
                case "--cluster" -> cluster = checkName(flag, value);
                case "--seed-hosts" -> seedHosts = splitList(value);
                case "--initial-managers" -> initialManagers = splitList(value);
                case "--exit-with" -> exitWith = checkPid(flag, value);
                default -> throw new UsageException("unknown option " + flag);
            }
        }
        if (data == null) {
            throw new UsageException("--data DIR is required");
        }
        for (String host : seedHosts) {
            // Only this machine: a test node never looks for peers elsewhere.
            if (!host.matches("127\\.0\\.0\\.1:[0-9]{1,5}")) {
                throw new UsageException("--seed-hosts takes 127.0.0.1:PORT addresses, not " + host);
            }
        }
        if (!initialManagers.isEmpty() && !initialManagers.contains(name)) {
            throw new UsageException("--initial-managers must include this node's --name " + name);
        }
        return new Options(data, port, transportPort, name, cluster, seedHosts, initialManagers, exitWith);
    }

    private static long checkPid(String flag, String value) throws UsageException {
        if (!value.matches("[1-9][0-9]{0,9}")) {
            throw new UsageException(flag + " takes a process id, not " + value);
        }
        return Long.parseLong(value);
    }

    private static String checkPort(String flag, String value) throws UsageException {
        if (!value.matches("[0-9]{1,5}") || Integer.parseInt(value) > 65535) {
            throw new UsageException(flag + " takes a port number from 0 to 65535, not " + value);
        }
        return value;
    }

    private static String checkName(String flag, String value) throws UsageException {
        if (!value.matches("[A-Za-z0-9_-]+")) {
            throw new UsageException(flag + " takes letters, digits, - and _, not " + value);
        }
        return value;
    }

    private static List<String> splitList(String value) {
        List<String> items = new ArrayList<>();
        for (String item : value.split(",")) {
            if (!item.isBlank()) {
                items.add(item.strip());
            }
        }
        return List.copyOf(items);
    }

    static Settings settings(Options options) {
        Settings.Builder settings = Settings.builder()
            .put("cluster.name", options.cluster())
            .put("node.name", options.name())
            .put("path.home", options.data().toString())
            .put("path.data", options.data().resolve("data").toString())
            .put("path.logs", options.data().resolve("logs").toString())
            .put("network.host", LOOPBACK)
            .put("http.host", LOOPBACK)
            .put("transport.host", LOOPBACK)
            .put("http.port", options.port())
            .put("transport.port", options.transportPort())
            // A test machine's disk may be nearly full; never refuse shards for it.
            .put("cluster.routing.allocation.disk.threshold_enabled", false);
        if (options.clusterMode()) {
            settings.putList("discovery.seed_hosts", options.seedHosts())
                .putList("cluster.initial_cluster_manager_nodes", options.initialManagers())
                // Start HTTP and print the addresses at once, instead of waiting
                // up to 30 s for the other nodes: the caller starts them next,
                // and waits for the cluster's health itself.
                .put("discovery.initial_state_timeout", "0s");
        } else {
            settings.put("discovery.type", "single-node");
        }
        return settings.build();
    }

    /** Exit (running the shutdown hook that closes the node) once process pid has ended. */
    private static void exitWith(long pid) {
        ProcessHandle.of(pid).ifPresentOrElse(
            parent -> parent.onExit().thenRun(() -> System.exit(0)),
            () -> System.exit(0));
    }

    static Node start(Options options) throws Exception {
        if (options.exitWith() != 0) {
            exitWith(options.exitWith());
        }
        Files.createDirectories(options.data());
        Settings settings = settings(options);
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, java.util.Map.of(), null, options::name);
        Node node = new PluginNode(environment, Arrays.asList(Netty4Plugin.class, CommonAnalysisPlugin.class));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                node.awaitClose(20, TimeUnit.SECONDS);
            } catch (IOException | InterruptedException e) {
                System.err.println("Error: the OpenSearch node did not close cleanly: " + e);
            }
        }, "sitrep-node-close"));
        node.start();
        return node;
    }
}
