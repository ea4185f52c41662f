package io.aqueduct.core.filter;

import io.aqueduct.core.model.TableId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Canal-style table selection: regexes on {@code schema.table}, anchored and case-insensitive. A table is
 * selected when it matches an include pattern (or there are none) and no exclude pattern.
 */
public final class TableFilter {
    private final List<Pattern> include;
    private final List<Pattern> exclude;
    private final Map<TableId, Boolean> cache = new ConcurrentHashMap<>();

    public TableFilter(List<String> include, List<String> exclude) {
        this.include = include.stream().map(TableFilter::compile).toList();
        this.exclude = exclude.stream().map(TableFilter::compile).toList();
    }

    public static TableFilter all() {
        return new TableFilter(List.of(), List.of());
    }

    private static Pattern compile(String regex) {
        return Pattern.compile(regex, Pattern.CASE_INSENSITIVE);
    }

    /** The include patterns as written. */
    public List<String> include() {
        return include.stream().map(Pattern::pattern).toList();
    }

    /** The exclude patterns as written. */
    public List<String> exclude() {
        return exclude.stream().map(Pattern::pattern).toList();
    }

    public boolean test(TableId t) {
        return cache.computeIfAbsent(t, this::decide);
    }

    public boolean test(String schema, String table) {
        return test(new TableId(schema, table));
    }

    private boolean decide(TableId t) {
        String name = t.toString();
        boolean in = include.isEmpty() || include.stream().anyMatch(p -> p.matcher(name).matches());
        return in && exclude.stream().noneMatch(p -> p.matcher(name).matches());
    }
}
