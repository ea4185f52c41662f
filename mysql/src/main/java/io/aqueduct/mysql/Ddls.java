package io.aqueduct.mysql;

import io.aqueduct.core.model.TableId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Classifies statements found in binlog query events and names the table a DDL statement changes. */
final class Ddls {
    private Ddls() {}

    enum Kind { TABLE_DDL, DML, OTHER }

    /** @param renamedTo the table's new name when the statement renames it, else null */
    record Parsed(Kind kind, TableId table, boolean createsTable, TableId renamedTo) {}

    private static final String NAME = "(`(?:[^`]|``)+`|[\\w$]+)(?:\\s*\\.\\s*(`(?:[^`]|``)+`|[\\w$]+))?";
    private static final Pattern CREATE = Pattern.compile(
            "(?is)CREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:TEMPORARY\\s+)?TABLE\\s+(?:IF\\s+NOT\\s+EXISTS\\s+)?" + NAME + ".*");
    private static final Pattern TABLE_DDL = Pattern.compile("(?is)(?:"
            + "ALTER\\s+(?:ONLINE\\s+|IGNORE\\s+)*TABLE\\s+(?:IF\\s+EXISTS\\s+)?"
            + "|DROP\\s+(?:TEMPORARY\\s+)?TABLES?\\s+(?:IF\\s+EXISTS\\s+)?"
            + "|TRUNCATE\\s+(?:TABLE\\s+)?"
            + "|RENAME\\s+TABLES?\\s+"
            + "|(?:CREATE|DROP)\\s+(?:OR\\s+REPLACE\\s+)?(?:UNIQUE\\s+|FULLTEXT\\s+|SPATIAL\\s+)?INDEX\\s+(?:IF\\s+(?:NOT\\s+)?EXISTS\\s+)?\\S+\\s+ON\\s+"
            + ")" + NAME + ".*");
    private static final Pattern RENAME_TO = Pattern.compile("(?is)(?:RENAME\\s+TABLES?\\s+" + NAME + "\\s+TO\\s+"
            + "|ALTER\\s+(?:ONLINE\\s+|IGNORE\\s+)*TABLE\\s+(?:IF\\s+EXISTS\\s+)?" + NAME
            + "\\s+(?:.*,\\s*)?RENAME\\s+(?!COLUMN\\b|INDEX\\b|KEY\\b)(?:TO\\s+|AS\\s+)?)" + NAME + ".*");
    private static final Pattern DML = Pattern.compile("(?is)(?:INSERT|UPDATE|DELETE|REPLACE|LOAD\\s+DATA)\\b.*");
    private static final Pattern LEADING_COMMENTS = Pattern.compile("(?s)^(?:\\s+|/\\*(?!!).*?\\*/|#[^\\n]*\\n|--\\s[^\\n]*\\n)*");

    static Parsed parse(String defaultDb, String sql) {
        String s = LEADING_COMMENTS.matcher(sql).replaceFirst("");
        Matcher m = CREATE.matcher(s);
        boolean create = m.matches();
        if (!create) m = TABLE_DDL.matcher(s);
        if (create || m.matches()) {
            String first = unquote(m.group(1));
            String second = m.group(2) == null ? null : unquote(m.group(2));
            TableId t = id(defaultDb, first, second);
            TableId renamed = null;
            Matcher r = RENAME_TO.matcher(s);
            if (!create && r.matches()) {
                renamed = id(t.schema(), unquote(r.group(5)), r.group(6) == null ? null : unquote(r.group(6)));
            }
            return new Parsed(Kind.TABLE_DDL, t, create, renamed);
        }
        if (DML.matcher(s).matches()) return new Parsed(Kind.DML, null, false, null);
        return new Parsed(Kind.OTHER, null, false, null);
    }

    private static TableId id(String defaultDb, String first, String second) {
        return second == null ? new TableId(defaultDb == null ? "" : defaultDb, first) : new TableId(first, second);
    }

    private static String unquote(String name) {
        return name.startsWith("`") ? name.substring(1, name.length() - 1).replace("``", "`") : name;
    }
}
