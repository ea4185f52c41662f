package io.aqueduct.mysql;

import io.aqueduct.core.model.Column;
import java.nio.charset.Charset;

/**
 * How to decode one column of a rows event: its binlog type and metadata from the table map, its signedness,
 * its charset (null for binary data) and the ENUM/SET members; plus the model column it becomes.
 */
record BinlogColumn(int type, int meta, boolean unsigned, Charset charset, String[] elements, Column column) {}
