package io.aqueduct.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.aqueduct.core.model.TableId;
import java.util.List;
import org.junit.jupiter.api.Test;

class MySqlPositionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What Jackson writes for the position: relay logs hold such JSON and compare it with positions sent again. */
    private static String jackson(MySqlPosition p) {
        ObjectNode n = JSON.createObjectNode();
        n.put("file", p.file());
        n.put("position", p.offset());
        n.put("gtids", p.gtids() == null ? "" : p.gtids());
        if (p.snapshot() != null) n.set("snapshot", p.snapshot().toJson());
        return n.toString();
    }

    @Test
    void toJsonIsWhatJacksonWritesAndParsesBack() {
        SnapshotProgress snapshot = new SnapshotProgress(List.of(new TableId("shop", "orders"), new TableId("shop", "ä\"x")),
                new Object[] {42L, "k\\ey"});
        List<MySqlPosition> positions = List.of(
                new MySqlPosition("mysql-bin.000002", 385, "0-1-77,1-2-3"),
                new MySqlPosition("mysql-bin.000002", 4, null),
                new MySqlPosition("", 0, ""),
                new MySqlPosition("we\"ird\\name\n\t\u0001é😀.000001", Long.MAX_VALUE, "3E11FA47-71CA-11E1-9E33-C80AA9429562:1-5"),
                new MySqlPosition("mysql-bin.000009", 123, "0-1-5", snapshot));
        for (MySqlPosition p : positions) {
            assertThat(p.toJson()).isEqualTo(jackson(p));
            MySqlPosition back = MySqlPosition.parse(p.toJson());
            assertThat(back.file()).isEqualTo(p.file());
            assertThat(back.offset()).isEqualTo(p.offset());
            assertThat(back.gtids()).isEqualTo(p.gtids() == null ? "" : p.gtids());
            assertThat(back.toJson()).isEqualTo(p.toJson());
        }
    }
}
