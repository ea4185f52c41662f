package io.aqueduct.cli;

import java.util.List;

/** A MariaDB table with every column type Aqueduct must carry exactly, and rows of edge values for it. */
final class AllTypes {
    private AllTypes() {}

    static final String CREATE = """
            CREATE TABLE %s (
              id INT PRIMARY KEY,
              ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED,
              i INT, iu INT UNSIGNED, bi BIGINT, biu BIGINT UNSIGNED,
              d DECIMAL(65,30), d2 DECIMAL(10,2), f FLOAT, dbl DOUBLE,
              b1 BIT(1), b10 BIT(10), b64 BIT(64),
              dt DATE, tm TIME(6), tm0 TIME, dtm DATETIME(6), dtm0 DATETIME, ts TIMESTAMP(6) NULL DEFAULT NULL, y YEAR,
              c CHAR(10), vc VARCHAR(100), tx TEXT, mtx MEDIUMTEXT,
              l1 VARCHAR(50) CHARACTER SET latin1, l1c CHAR(5) CHARACTER SET latin1,
              bn BINARY(4), vb VARBINARY(20), bl BLOB, lbl LONGBLOB,
              e ENUM('a','b','c d'), s SET('x','y','z'), j JSON, g GEOMETRY, p POINT
            ) DEFAULT CHARSET=utf8mb4""";

    /** Column names in table order, for building comparisons. */
    static final List<String> COLUMNS = List.of("id", "ti", "tiu", "si", "siu", "mi", "miu", "i", "iu", "bi", "biu",
            "d", "d2", "f", "dbl", "b1", "b10", "b64", "dt", "tm", "tm0", "dtm", "dtm0", "ts", "y", "c", "vc", "tx", "mtx",
            "l1", "l1c", "bn", "vb", "bl", "lbl", "e", "s", "j", "g", "p");

    static final List<String> INSERTS = List.of(
            "INSERT INTO %s VALUES (1, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, 4294967295, "
                    + "9223372036854775807, 18446744073709551615, "
                    + "'99999999999999999999999999999999999.999999999999999999999999999999', 12345678.91, 3.40282e38, "
                    + "1.7976931348623157e308, b'1', b'1000000001', b'1111111111111111111111111111111111111111111111111111111111111111', "
                    + "'9999-12-31', '838:59:59.000000', '-838:59:59', '9999-12-31 23:59:59.999999', '1000-01-01 00:00:00', "
                    + "'2038-01-19 03:14:07.999999', 2155, 'abc', '😀 emoji ✓ 𝄞', REPEAT('long text ', 500), REPEAT('m', 70000), "
                    + "'café ü ß € ÿ', 'Ñoño', 0x00010203, 0x00FF00, UNHEX('000102030405060708090A0B0C0D0E0F10FF7F80'), "
                    + "REPEAT(UNHEX('00FF'), 40000), 'c d', 'x,z', '{\"a\": [1, 2.5, \"s\"], \"b\": null, \"u\": \"é\"}', "
                    + "ST_GeomFromText('POLYGON((0 0,1 0,1 1,0 0))'), POINT(1.5, -2.25))",
            "INSERT INTO %s VALUES (2, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, -9223372036854775808, 0, "
                    + "'-99999999999999999999999999999999999.999999999999999999999999999999', -0.01, -1.17549e-38, "
                    + "-2.2250738585072014e-308, b'0', b'0', b'0', '1000-01-01', '-838:59:59.000000', '25:00:00', "
                    + "'1000-01-01 00:00:00.000000', '2000-02-29 12:00:00', '1970-01-01 00:00:01.000000', 1901, '', '', '', '', '', '', "
                    + "0x00000000, '', '', '', 'a', '', '[]', ST_GeomFromText('POINT(0 0)'), POINT(0, 0))",
            "INSERT INTO %s (id) VALUES (3)",
            "INSERT INTO %s (id, d, d2, f, dbl, tm, tm0, dtm, ts, y, c, vc, e, s, j) VALUES (4, "
                    + "'0.000000000000000000000000000001', 0, 0, 0.1, '-00:00:00.000001', '-12:34:56', "
                    + "'2024-02-29 13:45:07.123456', '2024-06-30 23:59:59.5', 0, 'trail  ', 'trail  ', 'b', 'x,y,z', '\"just a string\"')",
            "INSERT INTO %s (id, tm, dtm, vc) VALUES (5, '-00:00:01.5', '2020-01-01 00:00:00.000001', 'line\\nbreak\\ttab\\\\ backslash '' quote')");

    /** An update touching every column kind, so before and after images are both decoded. */
    static final String UPDATE = "UPDATE %s SET ti = IF(id = 1, ti - 1, ti + 1), biu = IF(id = 1, biu - 1, biu + 1), d = d / 2, f = f / 2, b10 = b'0101010101', "
            + "tm = '-01:02:03.400000', dtm = '2001-02-03 04:05:06.070809', ts = '2001-02-03 04:05:06.000007', "
            + "vc = CONCAT(vc, '★'), bl = UNHEX('DEADBEEF'), e = 'b', s = 'y', j = '{\"k\": 1}' WHERE id IN (1, 2)";
}
