package io.aqueduct.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogReadersTest {
    @TempDir
    Path dir;

    @Test
    void acknowledgementsAreListedByNameAndReplaceEarlierOnes() throws IOException {
        assertThat(LogReaders.list(dir)).isEmpty();
        assertThat(LogReaders.oldestAcknowledged(dir)).isEmpty();

        Instant t1 = Instant.parse("2024-05-01T12:00:00.123Z");
        LogReaders.acknowledge(dir, "shop-pg", 40, "10.0.0.5:51234 via relay server", t1);
        LogReaders.acknowledge(dir, "analytics_1", 12, "local", t1);
        LogReaders.acknowledge(dir, "shop-pg", 57, "10.0.0.5:51234 via relay server", t1.plusSeconds(5));
        LogReaders.acknowledge(dir, "x.y", 90, null);

        List<LogReaders.Reader> readers = LogReaders.list(dir);
        assertThat(readers).extracting(LogReaders.Reader::name).containsExactly("analytics_1", "shop-pg", "x.y");
        assertThat(readers.get(0)).isEqualTo(new LogReaders.Reader("analytics_1", 12, t1, "local"));
        assertThat(readers.get(1)).isEqualTo(new LogReaders.Reader("shop-pg", 57, t1.plusSeconds(5), "10.0.0.5:51234 via relay server"));
        assertThat(readers.get(2).from()).isNull();
        assertThat(readers.get(2).updated()).isAfter(t1);
        assertThat(LogReaders.oldestAcknowledged(dir)).hasValue(12);

        // one file per reader, and no temporary file left behind
        try (Stream<Path> files = Files.list(dir.resolve("readers"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("analytics_1.json", "shop-pg.json", "x.y.json");
        }
        // the log's own listing ignores the folder
        assertThat(LogFiles.segments(dir)).isEmpty();
    }

    @Test
    void forgettingARemovesItsFileAndAnUnknownNameIsAnError() throws IOException {
        LogReaders.acknowledge(dir, "a", 5, "local");
        LogReaders.acknowledge(dir, "b", 9, "local");
        LogReaders.forget(dir, "a");
        assertThat(LogReaders.list(dir)).extracting(LogReaders.Reader::name).containsExactly("b");
        assertThat(LogReaders.oldestAcknowledged(dir)).hasValue(9);
        assertThatThrownBy(() -> LogReaders.forget(dir, "a")).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("no reader named a");
    }

    @Test
    void namesAndSeqnosAreChecked() {
        for (String bad : new String[] {"", "a/b", "../x", "a b", "ü", "x".repeat(101), null}) {
            assertThatThrownBy(() -> LogReaders.acknowledge(dir, bad, 1, "local")).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("letters, digits, '.', '_' or '-'");
        }
        assertThatThrownBy(() -> LogReaders.forget(dir, "a/b")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogReaders.acknowledge(dir, "a", -1, "local")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> LogReaders.acknowledge(dir.resolve("missing"), "a", 1, "local"))
                .isInstanceOf(NoSuchFileException.class);
        assertThat(Files.exists(dir.resolve("missing"))).isFalse();
    }

    @Test
    void aDamagedFileIsReportedWithItsNameAndTheFix() throws IOException {
        LogReaders.acknowledge(dir, "good", 5, "local");
        Path readers = dir.resolve("readers");
        for (String content : new String[] {"", "{\"name\":\"bad\",\"seqno\":", "[1,2]", "{\"name\":\"other\",\"seqno\":3,\"updated\":\"2024-05-01T12:00:00Z\"}",
                "{\"name\":\"bad\",\"seqno\":\"x\",\"updated\":\"2024-05-01T12:00:00Z\"}",
                "{\"name\":\"bad\",\"seqno\":3,\"updated\":\"yesterday\"}"}) {
            Files.writeString(readers.resolve("bad.json"), content);
            assertThatThrownBy(() -> LogReaders.list(dir)).as(content).isInstanceOf(IOException.class)
                    .hasMessageContaining(readers.resolve("bad.json").toString())
                    .hasMessageContaining("damaged")
                    .hasMessageContaining("delete it")
                    .hasMessageContaining("--forget bad");
            assertThatThrownBy(() -> LogReaders.oldestAcknowledged(dir)).isInstanceOf(IOException.class);
        }
        // forgetting works without reading it
        LogReaders.forget(dir, "bad");
        assertThat(LogReaders.list(dir)).extracting(LogReaders.Reader::name).containsExactly("good");
    }

    @Test
    void filesThisClassDoesNotWriteAreIgnored() throws IOException {
        LogReaders.acknowledge(dir, "a", 5, "local");
        Path readers = dir.resolve("readers");
        Files.writeString(readers.resolve("a.json.0b6f1c2e.tmp"), "{half"); // left by a crash in the middle of a write
        Files.writeString(readers.resolve("notes.txt"), "hello");
        Files.writeString(readers.resolve("bad name.json"), "{}");
        assertThat(LogReaders.list(dir)).extracting(LogReaders.Reader::name).containsExactly("a");
    }
}
