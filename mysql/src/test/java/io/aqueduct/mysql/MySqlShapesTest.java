package io.aqueduct.mysql;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.core.model.Column;
import java.util.List;
import org.junit.jupiter.api.Test;

class MySqlShapesTest {
    static Column c(String type) {
        return new Column("c", 0, type, true, type.contains("unsigned"), 0, 0, null,
                type.startsWith("enum") ? MySqlCatalog.members(type) : List.of());
    }

    @Test
    void findsNarrowerTypes() {
        assertThat(MySqlShapes.narrower(c("bigint"), c("int"))).isTrue();
        assertThat(MySqlShapes.narrower(c("int unsigned"), c("int"))).isTrue();
        assertThat(MySqlShapes.narrower(c("int"), c("bigint"))).isFalse();
        assertThat(MySqlShapes.narrower(c("int"), c("bigint unsigned"))).isTrue();
        assertThat(MySqlShapes.narrower(c("int unsigned"), c("bigint"))).isFalse();
        assertThat(MySqlShapes.narrower(c("varchar(50)"), c("varchar(20)"))).isTrue();
        assertThat(MySqlShapes.narrower(c("varchar(50)"), c("text"))).isFalse();
        assertThat(MySqlShapes.narrower(c("decimal(12,2)"), c("decimal(10,2)"))).isTrue();
        assertThat(MySqlShapes.narrower(c("decimal(12,2)"), c("decimal(12,4)"))).isTrue();
        assertThat(MySqlShapes.narrower(c("decimal(12,2)"), c("decimal(14,2)"))).isFalse();
        assertThat(MySqlShapes.narrower(c("datetime(6)"), c("datetime"))).isTrue();
        assertThat(MySqlShapes.narrower(c("mediumtext"), c("text"))).isTrue();
        assertThat(MySqlShapes.narrower(c("enum('a','b')"), c("enum('a')"))).isTrue();
        assertThat(MySqlShapes.narrower(c("varchar(10)"), c("int"))).isTrue();
        assertThat(MySqlShapes.narrower(c("varchar(10)"), c("varchar(10)"))).isFalse();
    }
}
