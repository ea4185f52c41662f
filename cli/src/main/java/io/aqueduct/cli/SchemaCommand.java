package io.aqueduct.cli;

import io.aqueduct.core.config.JobConfig;
import io.aqueduct.core.config.JobConfigLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "schema", description = "Create the target databases/schemas and tables that do not exist yet from the source's definitions.")
final class SchemaCommand implements Callable<Integer> {
    @Parameters(paramLabel = "JOB", description = "The job file (YAML).")
    Path job;

    @Option(names = "--dry-run", description = "Print the statements instead of running them.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        JobConfig config = new JobConfigLoader().load(job);
        List<SchemaMigration.Plan> plans = SchemaMigration.plan(config);
        int created = 0;
        for (SchemaMigration.Plan p : plans) {
            if (p.exists()) {
                System.out.println("-- " + p.target() + " exists" + (p.problems().isEmpty() ? "" : ": " + String.join("; ", p.problems())));
                continue;
            }
            created++;
            System.out.println("-- " + p.source() + " -> " + p.target());
            for (String sql : p.statements()) System.out.println(sql + ";");
        }
        if (!dryRun) SchemaMigration.apply(config, plans);
        System.out.println("-- " + created + " table(s) " + (dryRun ? "to create (dry run, nothing changed)" : "created") + ", "
                + (plans.size() - created) + " already there");
        return plans.stream().anyMatch(p -> !p.problems().isEmpty() && config.target().type().equals("mysql")) ? 1 : 0;
    }
}
