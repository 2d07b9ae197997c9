package io.sparksr.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparksr.partitioning.image.ImageTensor;
import io.sparksr.partitioning.tiling.Rect;
import java.io.File;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The store on a real HDFS (one name node, one data node on 127.0.0.1). */
class HdfsImageStoreTest {
  private static final Logger LOG = LoggerFactory.getLogger(HdfsImageStoreTest.class);
  private static MiniDFSCluster cluster;
  private static FileSystem fs;
  private static ImageStore store;
  private static String root;

  private static final ImageTensor BIG = TestImages.random(3, 700, 1000, 77);

  @BeforeAll
  static void startHdfs() throws Exception {
    File base = new File("target/minidfs-" + UUID.randomUUID()).getAbsoluteFile();
    Configuration conf = new Configuration();
    conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
    conf.set("dfs.namenode.http-address", "127.0.0.1:0");
    conf.set("dfs.datanode.address", "127.0.0.1:0");
    conf.set("dfs.datanode.http.address", "127.0.0.1:0");
    conf.set("dfs.datanode.ipc.address", "127.0.0.1:0");
    conf.setBoolean("dfs.permissions.enabled", false);
    cluster = new MiniDFSCluster.Builder(conf, base).numDataNodes(1).build();
    cluster.waitActive();
    fs = cluster.getFileSystem();
    store = new ImageStore(cluster.getConfiguration(0));
    root = fs.getUri() + "/images";
    LOG.info("MiniDFSCluster at {}", fs.getUri());
  }

  @AfterAll
  static void stopHdfs() {
    if (cluster != null) {
      cluster.shutdown(true);
    }
  }

  @Test
  void writeInfoReadAndListOnHdfs() throws Exception {
    ImageTensor t = TestImages.random(4, 33, 45, 1);
    PixelFormat rgba16 = PixelFormat.of("png", 4, 16);
    store.write(root + "/a/x.png", t, rgba16);
    store.write(root + "/a/y.jpg", TestImages.smooth(3, 16, 16), PixelFormat.of("jpeg", 3, 8));
    store.write(root + "/b/z.png", t, rgba16);

    ImageInfo info = store.info(root + "/a/x.png");
    assertThat(info.path()).isEqualTo(root + "/a/x.png");
    assertThat(info.width()).isEqualTo(45);
    assertThat(info.height()).isEqualTo(33);
    assertThat(info.format()).isEqualTo(rgba16);
    DecodedImage img = store.read(root + "/a/x.png");
    assertThat(img.format()).isEqualTo(rgba16);
    assertThat(img.tensor()).isEqualTo(TestImages.quantised(t, 16));
    assertThat(store.readRegion(root + "/a/x.png", new Rect(40, 30, 5, 3)))
        .isEqualTo(img.tensor().crop(new Rect(40, 30, 5, 3)));

    assertThat(store.expand(List.of(root + "/*/*.png", root + "/a")))
        .containsExactly(root + "/a/x.png", root + "/a/y.jpg", root + "/b/z.png");
    assertThat(names(root + "/a")).containsExactly("x.png", "y.jpg");
  }

  @Test
  void overwriteIsOneRenameAndFailedWritesLeaveNothing() throws Exception {
    String path = root + "/c/over.png";
    store.write(path, TestImages.random(1, 8, 8, 1), PixelFormat.of("png", 1, 8));
    ImageTensor second = TestImages.random(1, 8, 8, 2);
    store.write(path, second, PixelFormat.of("png", 1, 8));
    assertThat(store.read(path).tensor()).isEqualTo(TestImages.quantised(second, 8));

    assertThatThrownBy(() -> store.write(root + "/c/bad.gif", second, PixelFormat.of("gif", 1, 8)))
        .isInstanceOf(ImageEncodeException.class)
        .hasMessageContaining(root + "/c/bad.gif");
    assertThat(names(root + "/c")).containsExactly("over.png");
  }

  @Test
  void regionOfTiledTiffReadsOnlyTheBytesItNeeds() throws Exception {
    String path = root + "/tiled/big.tif";
    store.writeTiledTiff(path, BIG, PixelFormat.of("tiff", 3, 8), 128);
    long fileSize = fs.getFileStatus(new Path(path)).getLen();
    ImageInfo info = store.info(path);
    assertThat(info.regionReadable()).isTrue();
    ImageTensor full = store.read(path).tensor();
    assertThat(full).isEqualTo(TestImages.quantised(BIG, 8));

    for (Rect r : RegionReadTest.REGIONS) {
      assertThat(store.readRegion(path, r)).as(r.toString()).isEqualTo(full.crop(r));
    }

    long before = bytesRead();
    store.readRegion(path, new Rect(300, 300, 100, 100));
    long read = bytesRead() - before;
    LOG.info("a 100x100 region of a {}-byte tiled TIFF read {} bytes from HDFS", fileSize, read);
    assertThat(read).as("bytes read for a 100x100 region of a %d-byte file", fileSize)
        .isPositive()
        .isLessThan(fileSize / 5);
  }

  @Test
  void corruptAndMissingFilesOnHdfs() throws Exception {
    String empty = root + "/bad/empty.png";
    fs.create(new Path(empty)).close();
    String text = root + "/bad/text.png";
    try (FSDataOutputStream out = fs.create(new Path(text))) {
      out.writeBytes("hello, not a png\n");
    }
    String cut = root + "/bad/cut.tif";
    store.write(root + "/bad/whole.tif", TestImages.random(3, 64, 64, 3), PixelFormat.of("tiff", 3, 8));
    byte[] whole = fs.open(new Path(root + "/bad/whole.tif")).readAllBytes();
    try (FSDataOutputStream out = fs.create(new Path(cut))) {
      out.write(Arrays.copyOf(whole, whole.length / 2));
    }
    for (String p : List.of(empty, text, cut, root + "/bad/missing.png")) {
      assertThatThrownBy(() -> store.read(p)).as(p)
          .isInstanceOf(ImageDecodeException.class)
          .hasMessageStartingWith("cannot decode " + p + ": ");
    }
  }

  private static long bytesRead() {
    Long n = FileSystem.getGlobalStorageStatistics().get("hdfs").getLong("bytesRead");
    return n == null ? 0 : n;
  }

  private static List<String> names(String dir) throws Exception {
    return Arrays.stream(fs.listStatus(new Path(dir)))
        .map(FileStatus::getPath).map(Path::getName).sorted().toList();
  }
}
