package io.aqueduct.core.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.aqueduct.core.model.TableId;
import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class TableFilterTest {

    @Test
    void includeSelectsMatchingTablesOnly() {
        TableFilter f = new TableFilter(List.of("shop\\..*"), List.of());
        assertThat(f.test("shop", "orders")).isTrue();
        assertThat(f.test("shop", "x")).isTrue();
        assertThat(f.test("crm", "orders")).isFalse();
    }

    @Test
    void includeIsAnchoredAtTheStart() {
        TableFilter f = new TableFilter(List.of("shop\\..*"), List.of());
        assertThat(f.test("myshop", "x")).isFalse();
        assertThat(f.test("xshop", "orders")).isFalse();
    }

    @Test
    void includeIsAnchoredAtTheEnd() {
        TableFilter f = new TableFilter(List.of("shop\\.order"), List.of());
        assertThat(f.test("shop", "order")).isTrue();
        assertThat(f.test("shop", "orders")).isFalse();
    }

    @Test
    void escapedDotIsLiteral() {
        TableFilter f = new TableFilter(List.of("shop\\..*"), List.of());
        assertThat(f.test("shop_2", "x")).isFalse();
        TableFilter loose = new TableFilter(List.of("shop..*"), List.of());
        assertThat(loose.test("shop_2", "x")).isTrue();
    }

    @Test
    void matchingIsCaseInsensitive() {
        TableFilter f = new TableFilter(List.of("shop\\.orders"), List.of("SHOP\\.TMP_.*"));
        assertThat(f.test("SHOP", "Orders")).isTrue();
        TableFilter g = new TableFilter(List.of(), List.of("SHOP\\.TMP_.*"));
        assertThat(g.test("shop", "tmp_1")).isFalse();
    }

    @Test
    void excludeRemovesFromTheIncludedSet() {
        TableFilter f = new TableFilter(List.of("shop\\..*"), List.of("shop\\.tmp_.*"));
        assertThat(f.test("shop", "orders")).isTrue();
        assertThat(f.test("shop", "tmp_orders")).isFalse();
        assertThat(f.test("shop", "orders_tmp_1")).isTrue();
    }

    @Test
    void emptyIncludeMeansAll() {
        TableFilter f = new TableFilter(List.of(), List.of("mysql\\..*"));
        assertThat(f.test("shop", "orders")).isTrue();
        assertThat(f.test("anything", "at_all")).isTrue();
        assertThat(f.test("mysql", "user")).isFalse();
        assertThat(TableFilter.all().test("mysql", "user")).isTrue();
    }

    @Test
    void anyOfSeveralIncludesSelects() {
        TableFilter f = new TableFilter(List.of("shop\\.orders", "crm\\..*"), List.of());
        assertThat(f.test("shop", "orders")).isTrue();
        assertThat(f.test("crm", "people")).isTrue();
        assertThat(f.test("shop", "items")).isFalse();
    }

    @Test
    void tableIdAndNamesAgree() {
        TableFilter f = new TableFilter(List.of("shop\\..*"), List.of("shop\\.tmp"));
        assertThat(f.test(new TableId("shop", "tmp"))).isFalse();
        assertThat(f.test(new TableId("shop", "a"))).isTrue();
        // asked twice (the answer is cached) it stays the same
        assertThat(f.test(new TableId("shop", "tmp"))).isFalse();
    }

    /** For any database and table, "db\\..*" selects exactly the tables of that database, whatever the case. */
    @Property(tries = 300)
    void databasePatternSelectsExactlyThatDatabase(
            @ForAll @AlphaChars @NumericChars @StringLength(min = 1, max = 6) String db,
            @ForAll @AlphaChars @NumericChars @StringLength(min = 1, max = 6) String otherDb,
            @ForAll @AlphaChars @StringLength(min = 1, max = 6) String table) {
        TableFilter f = new TableFilter(List.of(Pattern.quote(db) + "\\..*"), List.of());
        assertThat(f.test(db.toUpperCase(), table)).isTrue();
        assertThat(f.test(otherDb, table)).isEqualTo(otherDb.equalsIgnoreCase(db));
        assertThat(f.test("x" + db, table)).isFalse();
        assertThat(f.test(db + "x", table)).isFalse();
    }
}
