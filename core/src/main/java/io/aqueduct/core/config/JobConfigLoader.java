package io.aqueduct.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads a job file into a {@link JobConfig}, rejecting anything it does not understand. */
public final class JobConfigLoader {
    public static final List<String> SOURCE_TYPES = List.of("mysql", "relay");
    public static final List<String> TARGET_TYPES = List.of("mysql", "postgres", "log");
    /** The port a relay server listens on unless told otherwise. */
    public static final int DEFAULT_RELAY_PORT = 7070;
    /** The keys of a database endpoint, which a relay log endpoint (a local directory) does not take. */
    private static final List<String> DATABASE_KEYS = List.of("host", "port", "user", "password", "database", "server-id");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    private final Function<String, String> env;

    public JobConfigLoader(Function<String, String> env) {
        this.env = env;
    }

    public JobConfigLoader() {
        this(System::getenv);
    }

    public JobConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("Job file " + file + " does not exist. Pass the path of a job YAML file, "
                    + "for example examples/shop-replica.yaml.");
        } catch (IOException e) {
            throw new ConfigException("Cannot read job file " + file + ": " + e.getMessage());
        }
        Path base = file.toAbsolutePath().getParent();
        return parse(text, file.toString(), base);
    }

    /** Parses job YAML; relative {@code state} and relay log {@code path}s resolve against {@code base}. */
    public JobConfig parse(String yaml, String fileName, Path base) {
        JsonNode root;
        try {
            root = readAsText(yaml);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr();
            throw new ConfigException(fileName + " is not valid YAML" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException("Cannot read " + fileName + ": " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new ConfigException(fileName + " is empty. A job needs at least name, source, target and state.");
        }
        ConfigNode job = new ConfigNode(root, "", env);
        job.expectOnly(List.of("name", "source", "target", "tables", "routes", "mode", "snapshot", "state", "apply", "memory",
                "status-interval"));
        String name = job.requiredString("name", "Give the job a name made of letters, digits, '_', '-' or '.'.");
        if (!NAME.matcher(name).matches()) {
            throw new ConfigException("name: '" + name + "' may only contain letters, digits, '_', '-' and '.'.");
        }
        Endpoint source = endpoint(job.section("source"), true, base);
        Endpoint target = endpoint(job.section("target"), false, base);
        boolean relay = source.type().equals("relay");

        ConfigNode tables = job.section("tables");
        List<String> include = tables.strings("include");
        List<String> exclude = tables.strings("exclude");
        for (String r : include) checkRegex("tables.include", r);
        for (String r : exclude) checkRegex("tables.exclude", r);
        tables.finish();

        Routes routes = routes(job.section("routes"));
        // a relay log already holds what its capture job copied, so a job reading one only follows it
        String mode = job.oneOf("mode", relay ? "incremental" : "full+incremental", List.of("full+incremental", "full", "incremental"));
        if (relay && !mode.equals("incremental")) {
            throw new ConfigException("mode: a relay source takes mode: incremental (its default), not " + mode + ". The "
                    + "relay log already holds the tables' rows when the capture job that writes it copies them (its own "
                    + "mode: full+incremental), and this job applies the log from its beginning; remove mode or set "
                    + "mode: incremental.");
        }
        if (!mode.equals("incremental") && job.section("source").has("start")) {
            throw new ConfigException("source.start: only applies to mode: incremental. With mode: " + mode + " the "
                    + "job copies the tables as they are when it first starts and follows the log from there; remove "
                    + "source.start, or set mode: incremental to follow the log from that position without a copy.");
        }
        ConfigNode snap = job.section("snapshot");
        SnapshotSettings snapshot = new SnapshotSettings(mode, snap.intValue("parallelism", 4, 1, 64),
                snap.intValue("chunk-rows", 10_000, 1, 10_000_000));
        snap.finish();
        String state = job.requiredString("state", "Name a directory where the job keeps its position, "
                + "for example state: ./state/" + name + ".");
        Path statePath = resolve(base, state);
        if (target.isLog() && target.path().equals(statePath)) {
            throw new ConfigException("target.path: is the job's state directory " + statePath + ". Give the relay log a "
                    + "directory of its own, for example path: ./relay/" + name + ".");
        }
        if (source.isLog() && source.path().equals(statePath)) {
            throw new ConfigException("source.path: is the job's state directory " + statePath + ". Point source.path at "
                    + "the relay log (the capture job's target.path) and give this job a state directory of its own.");
        }
        if (source.isLog() && target.isLog() && source.path().equals(target.path())) {
            throw new ConfigException("target.path: is the relay log this job reads (source.path). A job cannot read and "
                    + "write one log; give the target another directory.");
        }

        ConfigNode apply = job.section("apply");
        int lanes = apply.intValue("lanes", 4, 1, 64);
        int batchRows = apply.intValue("batch-rows", 2000, 1, 1_000_000);
        apply.finish();
        ConfigNode memory = job.section("memory");
        long queueBytes = memory.bytes("queue", 128L << 20);
        long fragmentBytes = memory.bytes("transaction", 32L << 20);
        memory.finish();
        int statusSeconds = job.intValue("status-interval", 5, 1, 3600);
        job.finish();
        return new JobConfig(name, source, target, include, exclude, routes, snapshot, statePath, lanes, batchRows,
                queueBytes, fragmentBytes, statusSeconds);
    }

    /**
     * Reads YAML keeping every scalar exactly as written: YAML's own typing would turn a password like 012345 into
     * 5349 (octal) or yes into true. Typed values are parsed from the text later, with errors naming the key.
     */
    private static JsonNode readAsText(String yaml) throws IOException {
        try (JsonParser p = new YAMLFactory().createParser(yaml)) {
            JsonToken t = p.nextToken();
            return t == null ? null : readValue(p, t);
        }
    }

    private static JsonNode readValue(JsonParser p, JsonToken t) throws IOException {
        JsonNodeFactory f = JsonNodeFactory.instance;
        if (t == JsonToken.START_OBJECT) {
            ObjectNode o = f.objectNode();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                o.set(name, readValue(p, p.nextToken()));
            }
            return o;
        }
        if (t == JsonToken.START_ARRAY) {
            ArrayNode a = f.arrayNode();
            for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) a.add(readValue(p, e));
            return a;
        }
        return t == JsonToken.VALUE_NULL ? f.nullNode() : f.textNode(p.getText());
    }

    private static Path resolve(Path base, String path) {
        return base == null ? Path.of(path) : base.resolve(path).normalize();
    }

    private Endpoint endpoint(ConfigNode n, boolean isSource, Path base) {
        String side = isSource ? "source" : "target";
        List<String> types = isSource ? SOURCE_TYPES : TARGET_TYPES;
        if (!n.has("type")) {
            throw new ConfigException(side + ".type: is required. Use one of " + String.join(", ", types) + ".");
        }
        String given = n.string("type", null);
        if (isSource && given.equals("log")) {
            throw new ConfigException("source.type: 'log' is a target type. A job that reads a relay log has source "
                    + "type relay, with path naming the log's directory.");
        }
        if (!isSource && given.equals("relay")) {
            throw new ConfigException("target.type: 'relay' is a source type. A capture job writes a relay log with "
                    + "target type log, with path naming the log's directory.");
        }
        String type = n.oneOf("type", null, types);
        if (type.equals("relay") || type.equals("log")) return logEndpoint(n, type, base);
        String host = n.string("host", "127.0.0.1");
        int defaultPort = type.equals("postgres") ? 5432 : 3306;
        int port = n.intValue("port", defaultPort, 1, 65535);
        String user = n.requiredString("user", "Name the database user Aqueduct logs in as.");
        String password = n.string("password", "");
        String database = null;
        long serverId = 0;
        StartPosition start = null;
        if (type.equals("postgres")) {
            database = n.requiredString("database", "Name the PostgreSQL database to write into; each source "
                    + "database becomes a schema in it.");
        }
        if (isSource) {
            serverId = n.longValue("server-id", 0, 1, 4294967295L);
            if (serverId == 0) {
                throw new ConfigException("source.server-id: is required. Pick a number from 1 to 4294967295 that no "
                        + "other server or replica of this source uses, for example 6001.");
            }
            start = start(n.path() + ".start", n.raw("start"));
        }
        n.finish();
        return new Endpoint(type, host, port, user, password, database, serverId, start);
    }

    /**
     * A {@code relay} source (a relay log directory on this machine, or a relay server) or a {@code log} target (a
     * relay log directory on this machine).
     */
    private Endpoint logEndpoint(ConfigNode n, String type, Path base) {
        boolean relay = type.equals("relay");
        String side = n.path();
        if (relay) {
            JsonNode start = n.raw("start");
            if (start != null && !start.isNull() && !(start.isTextual() && start.asText().equals("earliest"))) {
                throw new ConfigException("source.start: a relay source starts at the beginning of the log (earliest) "
                        + "when the job has no stored position, and later resumes after the last transaction it "
                        + "committed; other start positions are not supported. Remove source.start or write start: earliest.");
            }
            if (n.has("host") && n.has("path")) {
                throw new ConfigException("source: a relay source reads either a relay log directory on this machine "
                        + "(path) or a relay server (host, port, user, password); remove one of them.");
            }
            if (n.has("host")) return relayServer(n, base);
        }
        for (String key : DATABASE_KEYS) {
            if (!n.has(key)) continue;
            throw new ConfigException(side + "." + key + ": a " + type + " " + side + " is a relay log directory on this "
                    + "machine (" + side + ".path) and takes no " + key + "; remove it."
                    + (relay ? " To read a log a relay server serves, give host, port, user and password instead of path."
                    : " To serve the log to readers elsewhere, add target.serve."));
        }
        String path = n.requiredString("path", relay
                ? "Name the relay log directory that a capture job writes (its target.path), for example path: ./relay/shop, "
                        + "or give host and port of the relay server that serves it."
                : "Name the directory to write the relay log into, for example path: ./relay/shop (created when missing).");
        Path dir = resolve(base, path);
        if (relay) {
            n.finish();
            return Endpoint.relaySource(dir);
        }
        String codec = n.oneOf("codec", Endpoint.LogOptions.DEFAULTS.codec(), Endpoint.LogOptions.CODECS);
        long segmentBytes = n.bytes("segment-size", Endpoint.LogOptions.DEFAULTS.segmentBytes());
        if (segmentBytes < Endpoint.LogOptions.MIN_SEGMENT_BYTES) {
            throw new ConfigException(side + ".segment-size: must be at least 1KB, got " + segmentBytes + " bytes "
                    + "(the default is 128MB).");
        }
        // 0 is a valid block size: every transaction in a record of its own
        long blockBytes = "0".equals(n.string("block-size", null)) ? 0 : n.bytes("block-size", Endpoint.LogOptions.DEFAULTS.blockBytes());
        if (blockBytes > Endpoint.LogOptions.MAX_BLOCK_BYTES) {
            throw new ConfigException(side + ".block-size: must be at most 16MB, got " + blockBytes + " bytes (the default "
                    + "is 64KB; 0 gives every transaction a record of its own).");
        }
        String fsync = n.oneOf("fsync", Endpoint.LogOptions.DEFAULTS.fsync(), Endpoint.LogOptions.FSYNC_POLICIES);
        ConfigNode r = n.section("retention");
        Endpoint.Retention retention = new Endpoint.Retention(r.duration("max-age", null), r.bytes("max-bytes", 0));
        r.finish();
        Endpoint.Serve serve = n.has("serve") ? serve(n.section("serve"), base) : null;
        n.finish();
        return Endpoint.logTarget(dir, new Endpoint.LogOptions(codec, segmentBytes, (int) blockBytes, fsync, retention, serve));
    }

    /** {@code source: {type: relay, host, port, user, password, tls}}: a relay server. */
    private Endpoint relayServer(ConfigNode n, Path base) {
        String host = n.requiredString("host", "Name the host the relay server runs on.");
        int port = n.intValue("port", DEFAULT_RELAY_PORT, 1, 65535);
        String user = n.requiredString("user", "Name the user the relay server was started with (aqueduct log serve --user).");
        String password = n.requiredString("password", "Give the relay server's password, for example password: "
                + "${RELAY_PASSWORD} to take it from the environment.");
        Endpoint.Tls tls = null;
        JsonNode t = n.raw("tls");
        if (t != null && t.isTextual()) {
            boolean on = n.bool("tls", false);
            if (on) tls = new Endpoint.Tls(null);
        } else if (t != null && !t.isNull()) {
            ConfigNode tn = n.section("tls");
            String trust = tn.string("trust", null);
            tn.finish();
            tls = new Endpoint.Tls(trust == null ? null : resolve(base, trust));
            if (tls.trust() != null && !Files.isReadable(tls.trust())) {
                throw new ConfigException("source.tls.trust: cannot read " + tls.trust() + ". Give the relay server's "
                        + "certificate file (the --tls-cert it runs with).");
            }
        }
        n.finish();
        return Endpoint.relayServer(host, port, user, password, tls);
    }

    /** {@code target.serve}: a relay server run by the capture job. */
    private Endpoint.Serve serve(ConfigNode n, Path base) {
        String host = n.string("host", "0.0.0.0");
        int port = n.intValue("port", DEFAULT_RELAY_PORT, 1, 65535);
        String user = n.requiredString("user", "Name the user readers log in as.");
        String password = n.requiredString("password", "Give readers' password, for example password: ${RELAY_PASSWORD} "
                + "to take it from the environment.");
        if (password.isEmpty()) throw new ConfigException(n.path() + ".password: must not be empty.");
        String cert = n.string("tls-cert", null);
        String key = n.string("tls-key", null);
        if ((cert == null) != (key == null)) {
            throw new ConfigException(n.path() + ": TLS needs both tls-cert (PEM certificate) and tls-key (its PEM private key).");
        }
        n.finish();
        return new Endpoint.Serve(host, port, user, password, cert == null ? null : resolve(base, cert),
                key == null ? null : resolve(base, key));
    }

    private StartPosition start(String path, JsonNode v) {
        String hint = " Use earliest, latest, {file: mysql-bin.000003, position: 4} or {gtid: \"0-1-100\"}.";
        if (v == null || v.isNull()) return new StartPosition.Latest();
        if (v.isTextual()) {
            return switch (v.asText()) {
                case "earliest" -> new StartPosition.Earliest();
                case "latest" -> new StartPosition.Latest();
                default -> throw new ConfigException(path + ": '" + v.asText() + "' is not a start position." + hint);
            };
        }
        ConfigNode n = new ConfigNode(v, path, env);
        if (n.has("gtid")) {
            String gtid = n.requiredString("gtid", hint);
            n.finish();
            return new StartPosition.Gtid(gtid);
        }
        String file = n.requiredString("file", hint);
        long pos = n.longValue("position", 4, 4, Long.MAX_VALUE);
        n.finish();
        return new StartPosition.FileOffset(file, pos);
    }

    private Routes routes(ConfigNode n) {
        Map<String, String> databases = n.stringMap("databases");
        Map<String, String> tables = n.stringMap("tables");
        for (String k : tables.keySet()) requireQualified(n.path() + ".tables", k);
        Map<String, Map<String, String>> columns = new LinkedHashMap<>();
        for (var e : n.sections("columns").entrySet()) {
            requireQualified(n.path() + ".columns", e.getKey());
            columns.put(e.getKey(), e.getValue().allStrings());
        }
        n.finish();
        return new Routes(databases, tables, columns);
    }

    private static void requireQualified(String path, String key) {
        if (key.indexOf('.') <= 0 || key.indexOf('.') == key.length() - 1) {
            throw new ConfigException(path + "." + key + ": name the source table as database.table.");
        }
    }

    private static void checkRegex(String path, String regex) {
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new ConfigException(path + ": '" + regex + "' is not a valid regular expression: "
                    + e.getDescription() + ". In YAML double quotes, write a literal dot as \\\\. (or use single quotes: 'shop\\..*').");
        }
    }
}
