package io.aqueduct.mysql;

/** Binlog column type codes (MySQL's enum_field_types) that rows events use. */
final class ColumnType {
    private ColumnType() {}

    static final int DECIMAL = 0, TINY = 1, SHORT = 2, LONG = 3, FLOAT = 4, DOUBLE = 5, NULL = 6, TIMESTAMP = 7,
            LONGLONG = 8, INT24 = 9, DATE = 10, TIME = 11, DATETIME = 12, YEAR = 13, NEWDATE = 14, VARCHAR = 15,
            BIT = 16, TIMESTAMP2 = 17, DATETIME2 = 18, TIME2 = 19, JSON = 245, NEWDECIMAL = 246, ENUM = 247, SET = 248,
            TINY_BLOB = 249, MEDIUM_BLOB = 250, LONG_BLOB = 251, BLOB = 252, VAR_STRING = 253, STRING = 254,
            GEOMETRY = 255;

    static boolean isNumeric(int type) {
        return switch (type) {
            case TINY, SHORT, INT24, LONG, LONGLONG, NEWDECIMAL, FLOAT, DOUBLE -> true;
            default -> false;
        };
    }

    /** STRING columns carry their real type (CHAR, ENUM, SET) in the first metadata byte. */
    static int realType(int type, int meta) {
        if (type != STRING) return type;
        int byte0 = meta >> 8;
        return (byte0 & 0x30) != 0x30 ? byte0 | 0x30 : byte0;
    }

    /** The declared byte length of a CHAR column (or the storage size of ENUM/SET). */
    static int stringMaxLength(int meta) {
        int byte0 = meta >> 8;
        int byte1 = meta & 0xff;
        return (byte0 & 0x30) != 0x30 ? byte1 | (((byte0 & 0x30) ^ 0x30) << 4) : byte1;
    }

    /** Columns whose character set the table map's charset metadata lists, in that order. */
    static boolean isCharacter(int type, int meta) {
        return switch (type) {
            case VARCHAR, VAR_STRING, BLOB, TINY_BLOB, MEDIUM_BLOB, LONG_BLOB, GEOMETRY -> true;
            case STRING -> {
                int real = realType(type, meta);
                yield real != ENUM && real != SET;
            }
            default -> false;
        };
    }

    static boolean isEnumOrSet(int type, int meta) {
        int real = realType(type, meta);
        return real == ENUM || real == SET;
    }
}
