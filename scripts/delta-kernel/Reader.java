// Independent Delta reader for our acceptance tests: Delta Kernel (the Delta project's own
// reference reader library) reads a table written by fraudstream and prints its version, schema,
// row count and a checksum of every value. Launched as a single-file program:
//   java -cp "<jars>/*" scripts/delta-kernel/Reader.java <table-path>[@version] ...
// Output per table (one "key value" per line): table, version, schema (name:type:nullable,...),
// rows, checksum —
// the SHA-256 of the rows' canonical lines (values tab-separated in schema order; NULL as \N;
// double/float as IEEE-754 bit patterns in hex; timestamp as epoch micros; date as epoch days),
// sorted and joined with '\n'. test/integration/lakehouse/delta-kernel.test.ts computes the same.

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.Table;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.data.ScanStateRow;
import io.delta.kernel.internal.util.Utils;
import io.delta.kernel.types.*;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;

public class Reader {
  public static void main(String[] args) throws Exception {
    Engine engine = DefaultEngine.create(new Configuration());
    for (String spec : args) read(engine, spec);
  }

  static void read(Engine engine, String spec) throws Exception {
    int at = spec.lastIndexOf('@');
    String path = at < 0 ? spec : spec.substring(0, at);
    Table table = Table.forPath(engine, path);
    Snapshot snapshot =
        at >= 0
            ? table.getSnapshotAsOfVersion(engine, Long.parseLong(spec.substring(at + 1)))
            : table.getLatestSnapshot(engine);
    StructType schema = snapshot.getSchema();
    Scan scan = snapshot.getScanBuilder().build();
    Row scanState = scan.getScanState(engine);
    StructType physicalSchema = ScanStateRow.getPhysicalDataReadSchema(engine, scanState);
    List<String> lines = new ArrayList<>();
    try (CloseableIterator<FilteredColumnarBatch> scanFiles = scan.getScanFiles(engine)) {
      while (scanFiles.hasNext()) {
        try (CloseableIterator<Row> files = scanFiles.next().getRows()) {
          while (files.hasNext()) {
            Row scanFile = files.next();
            FileStatus status = InternalScanFileUtils.getAddFileStatus(scanFile);
            CloseableIterator<ColumnarBatch> physical =
                engine
                    .getParquetHandler()
                    .readParquetFiles(
                        Utils.singletonCloseableIterator(status), physicalSchema, Optional.empty());
            try (CloseableIterator<FilteredColumnarBatch> data =
                Scan.transformPhysicalData(engine, scanState, scanFile, physical)) {
              while (data.hasNext()) {
                try (CloseableIterator<Row> rows = data.next().getRows()) {
                  while (rows.hasNext()) lines.add(encode(rows.next(), schema));
                }
              }
            }
          }
        }
      }
    }
    Collections.sort(lines);
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] digest = sha.digest(String.join("\n", lines).getBytes(StandardCharsets.UTF_8));
    StringBuilder fields = new StringBuilder();
    for (StructField f : schema.fields()) {
      if (fields.length() > 0) fields.append(',');
      fields.append(f.getName()).append(':').append(typeName(f.getDataType())).append(':').append(f.isNullable());
    }
    System.out.println("table " + spec);
    System.out.println("version " + snapshot.getVersion());
    System.out.println("schema " + fields);
    System.out.println("rows " + lines.size());
    System.out.println("checksum " + HexFormat.of().formatHex(digest));
  }

  static String typeName(DataType t) {
    if (t instanceof StringType) return "string";
    if (t instanceof LongType) return "long";
    if (t instanceof IntegerType) return "integer";
    if (t instanceof ShortType) return "short";
    if (t instanceof ByteType) return "byte";
    if (t instanceof DoubleType) return "double";
    if (t instanceof FloatType) return "float";
    if (t instanceof BooleanType) return "boolean";
    if (t instanceof BinaryType) return "binary";
    if (t instanceof DateType) return "date";
    if (t instanceof TimestampType) return "timestamp";
    return t.toString();
  }

  static String encode(Row row, StructType schema) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < schema.length(); i++) {
      if (i > 0) out.append('\t');
      if (row.isNullAt(i)) {
        out.append("\\N");
        continue;
      }
      DataType t = schema.at(i).getDataType();
      if (t instanceof StringType) out.append(row.getString(i));
      else if (t instanceof LongType || t instanceof TimestampType) out.append(row.getLong(i));
      else if (t instanceof IntegerType || t instanceof DateType) out.append(row.getInt(i));
      else if (t instanceof ShortType) out.append(row.getShort(i));
      else if (t instanceof ByteType) out.append(row.getByte(i));
      else if (t instanceof DoubleType) out.append(Long.toHexString(Double.doubleToLongBits(row.getDouble(i))));
      else if (t instanceof FloatType) out.append(Integer.toHexString(Float.floatToIntBits(row.getFloat(i))));
      else if (t instanceof BooleanType) out.append(row.getBoolean(i));
      else if (t instanceof BinaryType) out.append(HexFormat.of().formatHex(row.getBinary(i)));
      else throw new IllegalArgumentException("unsupported type " + t);
    }
    return out.toString();
  }
}
