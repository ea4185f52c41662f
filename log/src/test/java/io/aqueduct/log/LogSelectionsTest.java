package io.aqueduct.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aqueduct.core.filter.TableFilter;
import io.aqueduct.core.model.TableId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogSelectionsTest {
    @TempDir
    Path dir;

    private static final List<TableId> ON_SOURCE = List.of(new TableId("shop", "orders"), new TableId("shop", "customers"),
            new TableId("shop", "refunds"), new TableId("hr", "staff"));

    @Test
    void recordsOnlyChangesOfTheSelectionWithTheTablesTheyTookIn() throws Exception {
        AtomicInteger listed = new AtomicInteger();
        LogSelections.Entry first = LogSelections.record(dir, 1, List.of("shop\\.orders"), List.of(), () -> {
            listed.incrementAndGet();
            return List.of(ON_SOURCE.get(0));
        });
        assertThat(first).isEqualTo(new LogSelections.Entry(1, List.of("shop\\.orders"), List.of(), List.of()));
        assertThat(listed).as("the log's first selection takes in nothing: the log starts with it").hasValue(0);
        assertThat(LogSelections.record(dir, 50, List.of("shop\\.orders"), List.of(), () -> ON_SOURCE)).isNull();

        LogSelections.Entry widened = LogSelections.record(dir, 120, List.of("shop\\..*"), List.of("shop\\.refunds"),
                () -> ON_SOURCE.stream().filter(new TableFilter(List.of("shop\\..*"), List.of("shop\\.refunds"))::test).toList());
        assertThat(widened.added()).containsExactly(new TableId("shop", "customers"));
        assertThat(LogSelections.read(dir)).containsExactly(first, widened);
    }

    @Test
    void aReaderOfANewlySelectedTableIsRefusedBeforeItsSafePositionOnly() throws Exception {
        LogSelections.record(dir, 1, List.of("shop\\.orders"), List.of(), List::of);
        LogSelections.record(dir, 120, List.of("shop\\..*"), List.of(), () -> ON_SOURCE.subList(0, 3));
        List<LogSelections.Entry> entries = LogSelections.read(dir);

        TableFilter everything = TableFilter.all();
        assertThat(LogSelections.refusal(entries, 1, everything))
                .startsWith("the relay log holds shop.customers, shop.refunds only from seqno 120 on")
                .contains("this reader continues from seqno 1").contains("tables.exclude");
        assertThat(LogSelections.refusal(entries, 120, everything)).isNull();
        assertThat(LogSelections.refusal(entries, 1, new TableFilter(List.of("shop\\.orders"), List.of()))).isNull();
        assertThat(LogSelections.refusal(entries, 1, new TableFilter(List.of(), List.of("shop\\.(customers|refunds)")))).isNull();
    }

    @Test
    void aTornLastLineIsIgnoredAndDamageElsewhereIsReported() throws Exception {
        LogSelections.record(dir, 1, List.of("a\\..*"), List.of(), List::of);
        Path file = dir.resolve(LogSelections.FILE);
        Files.writeString(file, "{\"from\": 7, \"incl", StandardOpenOption.APPEND);
        assertThat(LogSelections.read(dir)).hasSize(1);
        // the next selection cuts the torn line rather than being appended to it
        LogSelections.Entry next = LogSelections.record(dir, 9, List.of("b\\..*"), List.of(), List::of);
        assertThat(LogSelections.read(dir)).hasSize(2).last().isEqualTo(next);
        Files.writeString(file, "{\"from\": 11, \"incl", StandardOpenOption.APPEND);
        Files.writeString(file, "\n{\"from\": 9, \"include\": [], \"exclude\": [], \"added\": []}\n", StandardOpenOption.APPEND);
        assertThatThrownBy(() -> LogSelections.read(dir)).hasMessageContaining(file + " line 3 is damaged");
    }
}
