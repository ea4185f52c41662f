package io.aqueduct.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.core.config.JobConfig;
import io.aqueduct.core.config.JobConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The job files in examples/ parse as written (with their variables set). */
class ExamplesTest {
    @Test
    void everyExampleParses() throws Exception {
        Map<String, String> env = Map.of("SRC_PASSWORD", "s", "DST_PASSWORD", "d");
        JobConfigLoader loader = new JobConfigLoader(env::get);
        try (Stream<Path> files = Files.list(Path.of("..", "examples"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                JobConfig job = loader.load(f);
                assertThat(job.name()).as(f.toString()).isNotBlank();
            }
        }
        JobConfig mirror = loader.load(Path.of("..", "examples", "mysql-to-mysql.yaml"));
        assertThat(mirror.routes().databases()).containsEntry("shop", "shop_mirror");
        assertThat(mirror.include()).containsExactly("shop\\..*");
    }
}
