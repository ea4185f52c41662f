package io.aqueduct.cli;

import io.aqueduct.core.apply.JdbcSink;
import io.aqueduct.core.apply.SqlDialect;
import io.aqueduct.core.config.ConfigException;
import io.aqueduct.core.config.JobConfig;
import io.aqueduct.core.filter.Router;
import io.aqueduct.core.filter.TableFilter;
import io.aqueduct.core.pipeline.FilePositionStore;
import io.aqueduct.core.pipeline.JobRunner;
import io.aqueduct.core.pipeline.Pipeline;
import io.aqueduct.core.pipeline.Sink;
import io.aqueduct.core.pipeline.Source;
import io.aqueduct.core.precheck.Check;
import io.aqueduct.mysql.MySqlBinlogSource;
import io.aqueduct.mysql.MySqlDialect;
import io.aqueduct.mysql.MySqlPrechecks;
import io.aqueduct.postgres.PostgresDialect;
import io.aqueduct.postgres.PostgresPrechecks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
            default -> throw new ConfigException("source.type: '" + job.source().type() + "' is not supported");
        };
    }

    public static SqlDialect dialect(JobConfig job) {
        return switch (job.target().type()) {
            case "mysql" -> new MySqlDialect(job.target());
            case "postgres" -> new PostgresDialect(job.target());
            default -> throw new ConfigException("target.type: '" + job.target().type() + "' is not supported");
        };
    }

    public static Sink sink(JobConfig job) {
        return new JdbcSink(dialect(job), job.lanes());
    }

    /** Every check for the job, source first. */
    public static List<Check> prechecks(JobConfig job) {
        List<Check> out = new ArrayList<>(MySqlPrechecks.source(job.source(), filter(job),
                job.snapshot().copies()));
        out.addAll(switch (job.target().type()) {
            case "mysql" -> MySqlPrechecks.target(job.target());
            case "postgres" -> PostgresPrechecks.target(job.target());
            default -> List.<Check>of();
        });
        if (out.stream().noneMatch(c -> c.status() == Check.Status.FAIL)) out.addAll(SchemaMigration.checks(job));
        if (out.stream().noneMatch(c -> c.status() == Check.Status.FAIL)) {
            try {
                new Router(job.routes()).validate(source(job).tables());
                if (!job.routes().isEmpty()) out.add(Check.ok("routes", "every routed table and column exists"));
            } catch (ConfigException e) {
                out.add(Check.fail("routes", e.getMessage(), "fix the routes section"));
            } catch (Exception e) {
                out.add(Check.fail("routes", e.getMessage(), "check the source"));
            }
        }
        return out;
    }

    /** A running job: checks first (a FAIL stops it with the reasons), then the retrying runner. */
    public static final class Running {
        private final JobRunner runner;
        private final FilePositionStore store;
        public final Pipeline.Stats stats = new Pipeline.Stats();

        public Running(JobConfig job) {
            List<Check> failed = prechecks(job).stream().filter(c -> c.status() == Check.Status.FAIL).toList();
            if (!failed.isEmpty()) {
                StringBuilder sb = new StringBuilder("The job cannot start:");
                for (Check c : failed) sb.append("\n  - ").append(c.name()).append(": ").append(c.detail()).append("\n    fix: ").append(c.fix());
                throw new ConfigException(sb.toString());
            }
            Router router = new Router(job.routes());
            store = new FilePositionStore(job.state());
            if (store.load().isEmpty()) {
                try {
                    // the copy needs its target tables; created before the start is pinned, so a crash redoes both
                    if (job.snapshot().copies()) createMissingTables(job);
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
            try {
                runner.run();
            } finally {
                store.close();
            }
        }

        public void stop() {
            runner.stop();
        }
    }
}
