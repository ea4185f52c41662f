package io.aqueduct.mysql;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/** The server's collation ids, their character sets and the Java charsets that decode them. */
final class Collations {
    record Info(String charset, int maxBytes, Charset java) {
        boolean isBinary() {
            return "binary".equals(charset);
        }
    }

    private final Map<Integer, Info> byId = new HashMap<>();

    static Collations load(Connection c) throws SQLException {
        Collations out = new Collations();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT co.ID, co.CHARACTER_SET_NAME, cs.MAXLEN FROM information_schema.COLLATIONS co "
                     + "JOIN information_schema.CHARACTER_SETS cs ON cs.CHARACTER_SET_NAME = co.CHARACTER_SET_NAME")) {
            while (rs.next()) {
                String cs = rs.getString(2);
                out.byId.put(rs.getInt(1), new Info(cs, rs.getInt(3), javaCharset(cs)));
            }
        }
        return out;
    }

    Info get(int id) {
        Info i = byId.get(id);
        if (i == null) throw new IllegalStateException("The source uses collation id " + id + ", which its own "
                + "information_schema.COLLATIONS does not list");
        return i;
    }

    /** MySQL charset names to Java ones; null for charsets Java cannot decode (reported when a column uses one). */
    static Charset javaCharset(String mysql) {
        String name = switch (mysql) {
            case "utf8", "utf8mb3", "utf8mb4" -> "UTF-8";
            case "ascii" -> "US-ASCII";
            case "binary" -> "ISO-8859-1";
            case "ucs2", "utf16" -> "UTF-16BE";
            case "utf16le" -> "UTF-16LE";
            case "utf32" -> "UTF-32BE";
            case "latin2" -> "ISO-8859-2";
            case "latin5" -> "ISO-8859-9";
            case "latin7" -> "ISO-8859-13";
            case "greek" -> "ISO-8859-7";
            case "hebrew" -> "ISO-8859-8";
            case "cp1250", "cp1251", "cp1256", "cp1257" -> "windows-" + mysql.substring(2);
            case "cp850", "cp852", "cp866" -> "IBM" + mysql.substring(2);
            case "koi8r" -> "KOI8-R";
            case "koi8u" -> "KOI8-U";
            case "sjis" -> "Shift_JIS";
            case "cp932" -> "windows-31j";
            case "ujis" -> "EUC-JP";
            case "eucjpms" -> "x-eucJP-Open";
            case "euckr" -> "EUC-KR";
            case "gb2312" -> "GB2312";
            case "gbk" -> "GBK";
            case "gb18030" -> "GB18030";
            case "big5" -> "Big5";
            case "tis620" -> "TIS-620";
            default -> null;
        };
        if (mysql.equals("latin1")) return MySqlLatin1.INSTANCE;
        if (name == null || !Charset.isSupported(name)) return null;
        return name.equals("UTF-8") ? StandardCharsets.UTF_8 : Charset.forName(name);
    }
}
