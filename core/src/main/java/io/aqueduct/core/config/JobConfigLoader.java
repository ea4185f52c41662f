package io.aqueduct.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.JsonNode;
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
    public static final List<String> SOURCE_TYPES = List.of("mysql");
    public static final List<String> TARGET_TYPES = List.of("mysql", "postgres");
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

    /** Parses job YAML; relative {@code state} paths resolve against {@code base}. */
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
        Endpoint source = endpoint(job.section("source"), true);
        Endpoint target = endpoint(job.section("target"), false);

        ConfigNode tables = job.section("tables");
        List<String> include = tables.strings("include");
        List<String> exclude = tables.strings("exclude");
        for (String r : include) checkRegex("tables.include", r);
        for (String r : exclude) checkRegex("tables.exclude", r);
        tables.finish();

        Routes routes = routes(job.section("routes"));
        String mode = job.oneOf("mode", "full+incremental", List.of("full+incremental", "full", "incremental"));
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
        Path statePath = base == null ? Path.of(state) : base.resolve(state).normalize();

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

    private Endpoint endpoint(ConfigNode n, boolean isSource) {
        String side = isSource ? "source" : "target";
        List<String> types = isSource ? SOURCE_TYPES : TARGET_TYPES;
        if (!n.has("type")) {
            throw new ConfigException(side + ".type: is required. Use one of " + String.join(", ", types) + ".");
        }
        String type = n.oneOf("type", null, types);
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
