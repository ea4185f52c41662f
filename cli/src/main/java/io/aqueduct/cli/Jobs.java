package io.aqueduct.cli;

import io.aqueduct.core.apply.JdbcSink;
import io.aqueduct.core.apply.SqlDialect;
import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.config.Endpoint;
import io.aqueduct.core.config.JobConfig;
import io.aqueduct.core.config.Routes;
import io.aqueduct.core.filter.Router;
import io.aqueduct.core.filter.TableFilter;
import io.aqueduct.core.model.TableSchema;
import io.aqueduct.core.pipeline.FilePositionStore;
import io.aqueduct.core.pipeline.JobRunner;
import io.aqueduct.core.pipeline.Pipeline;
import io.aqueduct.core.pipeline.Sink;
import io.aqueduct.core.pipeline.Source;
import io.aqueduct.core.precheck.Check;
import io.aqueduct.log.Codec;
import io.aqueduct.log.FsyncPolicy;
import io.aqueduct.log.LogFiles;
import io.aqueduct.log.LogRetention;
import io.aqueduct.log.LogSink;
import io.aqueduct.log.LogSource;
import io.aqueduct.log.LogWriterOptions;
import io.aqueduct.log.RelayServer;
import io.aqueduct.log.RelaySource;
import io.aqueduct.mysql.MySqlBinlogSource;
import io.aqueduct.mysql.MySqlDialect;
import io.aqueduct.mysql.MySqlPrechecks;
import io.aqueduct.postgres.PostgresDialect;
import io.aqueduct.postgres.PostgresPrechecks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The one place that turns a job file's types into sources, sinks and checks. */
public final class Jobs {
    private Jobs() {}

    public static TableFilter filter(JobConfig job) {
        return new TableFilter(job.include(), job.exclude());
    }

    public static Source source(JobConfig job) {
        return switch (job.source().type()) {
            case "mysql" -> new MySqlBinlogSource(job.source(), filter(job), job.fragmentBytes(),
                    job.state().resolve("schema-history.jsonl"), job.snapshot());
            case "relay" -> job.source().isLog() ? new LogSource(job.source().path(), filter(job)).reader(job.name())
                    : new RelaySource(relayOptions(job), filter(job));
            default -> throw new ConfigException("source.type: '" + job.source().type() + "' is not supported");
        };
    }

    /** How a job reaches the relay server it reads; it reads as the reader named like the job. */
    static RelaySource.Options relayOptions(JobConfig job) {
        Endpoint e = job.source();
        RelaySource.Options o = RelaySource.Options.plain(e.host(), e.port(), e.user(), e.password(), job.name());
        return e.tls() == null ? o : o.withTls(e.tls().trust());
    }

    /**
     * The target's SQL dialect, for the commands that work from the source database's tables (verify, schema). A job
     * with a relay source names no source database, so they are refused here with what to do instead.
     */
    public static SqlDialect dialect(JobConfig job) {
        if (job.source().type().equals("relay")) {
            throw new ConfigException("This command reads the selected tables from the source database, and this job "
                    + "has none: its source is the relay log " + (job.source().isLog() ? "in " : "served by ")
                    + job.source().address() + ". Run it with a copy of the job "
                    + "file whose source is the capture job's database (type mysql, with its host, user and server-id), "
                    + "keeping this job's tables, routes and target.");
        }
        return targetDialect(job);
    }

    private static SqlDialect targetDialect(JobConfig job) {
        return switch (job.target().type()) {
            case "mysql" -> new MySqlDialect(job.target());
            case "postgres" -> new PostgresDialect(job.target());
            case "log" -> throw new ConfigException("target.type: log writes a relay log (" + job.target().path() + "), "
                    + "not database tables, and this command needs a database target. Use it on a job that reads the "
                    + "log (source type relay) and writes a database.");
            default -> throw new ConfigException("target.type: '" + job.target().type() + "' is not supported");
        };
    }

    public static Sink sink(JobConfig job) {
        if (job.target().type().equals("log")) {
            Endpoint.Retention r = job.target().log().retention();
            return new LogSink(job.target().path(), logOptions(job.target().log()))
                    .retention(new LogRetention.Policy(r.maxAge(), r.maxBytes()))
                    .selection(job.include(), job.exclude(), () -> {
                        try (Source s = source(job)) {
                            return s.tables().stream().map(TableSchema::id).toList();
                        }
                    });
        }
        return new JdbcSink(targetDialect(job), job.lanes());
    }

    /**
     * The writer options of a log target. {@code batch} keeps the writer's background group commit: the sink's own
     * sync after every batch is what makes a batch durable before its position counts as committed.
     */
    static LogWriterOptions logOptions(Endpoint.LogOptions o) {
        Codec codec = switch (o.codec()) {
            case "zstd" -> Codec.ZSTD;
            case "none" -> Codec.NONE;
            default -> Codec.LZ4;
        };
        LogWriterOptions options = LogWriterOptions.defaults().withCodec(codec).withSegmentBytes(o.segmentBytes())
                .withBlockBytes(o.blockBytes());
        return o.fsync().equals("every-record") ? options.withFsync(FsyncPolicy.everyRecord()) : options;
    }

    /** Every check for the job, source first. */
    public static List<Check> prechecks(JobConfig job) {
        boolean relay = job.source().type().equals("relay");
        List<Check> out = new ArrayList<>(relay ? relaySourceChecks(job)
                : MySqlPrechecks.source(job.source(), filter(job), job.snapshot().copies()));
        out.addAll(switch (job.target().type()) {
            case "mysql" -> MySqlPrechecks.target(job.target());
            case "postgres" -> PostgresPrechecks.target(job.target());
            case "log" -> logTargetChecks(job.target());
            default -> List.<Check>of();
        });
        // table shapes are compared with the MySQL source's catalog, into database targets only
        if (!relay && !job.target().isLog() && noFailure(out)) out.addAll(SchemaMigration.checks(job));
        // a relay source's tables() reads the whole log: only worth it when there are routes to check, and only
        // possible for a log on this machine
        if (noFailure(out) && (!relay || job.source().isLog() && !job.routes().isEmpty())) {
            try {
                List<TableSchema> tables = source(job).tables();
                List<Check> unchecked = relay ? relayRouteChecks(job.routes(), tables) : List.of();
                new Router(relay ? routesOf(job.routes(), tables) : job.routes()).validate(tables);
                out.addAll(unchecked);
                if (!job.routes().isEmpty()) {
                    out.add(Check.ok("routes", unchecked.isEmpty() ? "every routed table and column exists"
                            : "the routed tables the relay log holds have the routed columns"));
                }
            } catch (ConfigException e) {
                out.add(Check.fail("routes", e.getMessage(), "fix the routes section"));
            } catch (Exception e) {
                out.add(Check.fail("routes", e.getMessage(), "check the source"));
            }
        }
        return out;
    }

    private static boolean noFailure(List<Check> checks) {
        return checks.stream().noneMatch(c -> c.status() == Check.Status.FAIL);
    }

    /**
     * The relay log directory exists and holds a log, or a capture job has at least opened it; or the relay server
     * answers and lets the job's reader in.
     */
    static List<Check> relaySourceChecks(JobConfig job) {
        Endpoint source = job.source();
        if (!source.isLog()) {
            try {
                long[] seqnos = new RelaySource(relayOptions(job), filter(job)).bounds();
                return List.of(Check.ok("relay server", source.address() + " lets reader " + job.name() + " in"
                        + (source.tls() != null ? " over TLS" : "") + "; " + (seqnos[1] > seqnos[0]
                        ? "its log holds seqnos " + seqnos[0] + " to " + (seqnos[1] - 1) : "its log holds no transaction yet")));
            } catch (Exception e) {
                String fix = "start `aqueduct log serve` there (or the capture job's target.serve), and check source host, "
                        + "port, user, password and tls";
                // a server that is down or restarting may come back: the job starts and retries, as it would later
                boolean passing = JobRunner.isTransient(e);
                return List.of(passing ? Check.warn("relay server", e.getMessage() + " (the job retries until it answers)", fix)
                        : Check.fail("relay server", e.getMessage(), fix));
            }
        }
        Path dir = source.path();
        String fix = "check source.path (a relative path starts at the job file's folder): it must name the target.path "
                + "of a capture job (target type log), and that job must have started";
        if (!Files.exists(dir)) return List.of(Check.fail("relay log", "there is no directory " + dir, fix));
        if (!Files.isDirectory(dir)) return List.of(Check.fail("relay log", dir + " is a file, not a relay log directory", fix));
        try {
            TreeMap<Long, Path> segments = LogFiles.segments(dir);
            if (!segments.isEmpty()) {
                return List.of(Check.ok("relay log", dir + ": " + segments.size() + " segment file(s), the first from seqno "
                        + segments.firstKey()));
            }
            if (Files.exists(dir.resolve(LogFiles.LOCK_FILE))) {
                return List.of(Check.ok("relay log", dir + ": no transaction logged yet; the job waits for the capture job's first"));
            }
            return List.of(Check.fail("relay log", dir + " holds no relay log (no segment files)", fix));
        } catch (IOException e) {
            return List.of(Check.fail("relay log", "cannot read " + dir + ": " + e.getMessage(), fix));
        }
    }

    /** The log target's directory exists and is writable, or can be created. */
    static List<Check> logTargetChecks(Endpoint target) {
        Path dir = target.path();
        String fix = "choose another target.path, or give the user running aqueduct write access to it";
        if (Files.isDirectory(dir)) {
            if (!Files.isWritable(dir)) return List.of(Check.fail("target log", "cannot write into " + dir, fix));
            try {
                TreeMap<Long, Path> segments = LogFiles.segments(dir);
                List<Check> out = new ArrayList<>();
                out.add(Check.ok("target log", segments.isEmpty() ? dir + ": empty, the log starts at seqno 1"
                        : dir + ": holds a relay log of " + segments.size() + " segment file(s); the job appends to it"));
                long others;
                try (var files = Files.list(dir)) {
                    others = files.map(p -> p.getFileName().toString()).filter(n -> !LogFiles.belongsToLog(n)).count();
                }
                if (others > 0) {
                    out.add(Check.warn("target log", dir + " also holds " + others + " file(s) that are not part of a relay log",
                            "give the log a directory of its own, so that nobody mistakes or deletes its files"));
                }
                return out;
            } catch (IOException e) {
                return List.of(Check.fail("target log", "cannot read " + dir + ": " + e.getMessage(), fix));
            }
        }
        if (Files.exists(dir)) return List.of(Check.fail("target log", dir + " is a file, not a directory", fix));
        Path parent = dir.toAbsolutePath().getParent();
        while (parent != null && !Files.exists(parent)) parent = parent.getParent();
        if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
            return List.of(Check.fail("target log", "cannot create " + dir + ": " + (parent == null ? "no existing parent"
                    : parent + " is not a writable directory"), fix));
        }
        return List.of(Check.ok("target log", dir + " is created when the job starts"));
    }

    /**
     * Routes for tables the relay log holds rows or a shape of are checked; the others cannot be checked yet (the log
     * may not have reached them), which is a warning rather than a reason not to start.
     */
    private static List<Check> relayRouteChecks(Routes routes, List<TableSchema> inLog) {
        List<Check> out = new ArrayList<>();
        List<String> known = inLog.stream().map(t -> t.id().toString()).toList();
        for (String key : routed(routes)) {
            if (!known.contains(key)) {
                out.add(Check.warn("routes", "the relay log holds no rows of " + key + " yet, so its route cannot be checked",
                        "check the name (database.table, as the source spells it) and that tables.include selects it"));
            }
        }
        return out;
    }

    private static List<String> routed(Routes routes) {
        List<String> keys = new ArrayList<>(routes.tables().keySet());
        for (String k : routes.columns().keySet()) if (!keys.contains(k)) keys.add(k);
        return keys;
    }

    /** The routes of tables present in {@code tables}, for validating what can be validated. */
    private static Routes routesOf(Routes routes, List<TableSchema> tables) {
        List<String> known = tables.stream().map(t -> t.id().toString()).toList();
        Map<String, String> t = new LinkedHashMap<>(routes.tables());
        t.keySet().retainAll(known);
        Map<String, Map<String, String>> c = new LinkedHashMap<>(routes.columns());
        c.keySet().retainAll(known);
        return new Routes(routes.databases(), t, c);
    }

    /** A running job: checks first (a FAIL stops it with the reasons), then the retrying runner. */
    public static final class Running {
        private final JobConfig job;
        private final JobRunner runner;
        private final FilePositionStore store;
        public final Pipeline.Stats stats = new Pipeline.Stats();

        public Running(JobConfig job) {
            this.job = job;
            List<Check> failed = prechecks(job).stream().filter(c -> c.status() == Check.Status.FAIL).toList();
            if (!failed.isEmpty()) {
                StringBuilder sb = new StringBuilder("The job cannot start:");
                for (Check c : failed) sb.append("\n  - ").append(c.name()).append(": ").append(c.detail()).append("\n    fix: ").append(c.fix());
                throw new ConfigException(sb.toString());
            }
            Router router = new Router(job.routes());
            store = new FilePositionStore(job.state());
            // a relay server may be down when the job starts: its reader finds the log's beginning itself, retrying
            boolean pinStart = !job.source().type().equals("relay") || job.source().isLog();
            if (pinStart && store.load().isEmpty()) {
                try {
                    // the copy needs its target tables; created before the start is pinned, so a crash redoes both
                    // a log target has no tables: the copy goes into the log
                    if (job.snapshot().copies() && !job.target().isLog()) createMissingTables(job);
                    store.save(source(job).resolveStart().toJson());
                } catch (ConfigException e) {
                    store.close();
                    throw e;
                } catch (Exception e) {
                    store.close();
                    throw new ConfigException((job.snapshot().copies() ? "Cannot create the missing target tables or find the "
                            + "start position on the source: " : "Cannot find the start position on the source: ")
                            + e.getMessage(), e);
                }
            }
            runner = new JobRunner(() -> new Pipeline(source(job), sink(job), router, store, job.queueBytes(), job.batchRows(),
                    Duration.ofSeconds(job.statusSeconds()), stats), Duration.ofSeconds(30));
        }

        private static void createMissingTables(JobConfig job) throws java.sql.SQLException {
            List<SchemaMigration.Plan> plans = SchemaMigration.plan(job).stream().filter(p -> !p.exists()).toList();
            if (plans.isEmpty()) return;
            org.slf4j.LoggerFactory.getLogger(Jobs.class).info("Creating {} missing target table(s) from the source: {}",
                    plans.size(), plans.stream().map(p -> p.target().toString()).toList());
            SchemaMigration.apply(job, plans);
        }

        public void run() throws Exception {
            try (RelayServer server = serve(job)) {
                runner.run();
            } finally {
                store.close();
            }
        }

        /** The relay server a capture job runs next to its log ({@code target.serve}), started; null when none. */
        private static RelayServer serve(JobConfig job) throws Exception {
            Endpoint.Serve s = job.target().isLog() ? job.target().log().serve() : null;
            if (s == null) return null;
            Files.createDirectories(job.target().path());
            RelayServer.Options o = RelayServer.Options.plain(s.host(), s.port(), s.user(), s.password());
            return new RelayServer(job.target().path(), s.tlsCert() == null ? o : o.withTls(s.tlsCert(), s.tlsKey())).start();
        }

        public void stop() {
            runner.stop();
        }
    }
}
