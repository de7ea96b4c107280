package dev.credledger.events.tlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * RFC 9162 hashing and proofs against the vectors of transparency-dev/merkle (testonly/constants.go and
 * testdata/{inclusion,consistency}/*), an implementation this project did not write: the 8-leaf tree of the
 * Certificate Transparency tests, its roots at every size, its proofs, and the corruptions that must fail.
 */
class MerkleTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final String[] LEAVES = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
            "606162636465666768696a6b6c6d6e6f"};
    private static final String[] ROOTS = {
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};

    /** A log kept as the ledger keeps one: perfect subtrees by level and index, appended leaf by leaf. */
    private static final class Log implements Merkle.Nodes {
        final Map<String, byte[]> nodes = new HashMap<>();
        long size;

        Log(int leaves) {
            for (int i = 0; i < leaves; i++) {
                Merkle.append(this, size++, Merkle.leafHash(HEX.parseHex(LEAVES[i])), (l, idx, h) -> nodes.put(l + "/" + idx, h));
            }
        }

        @Override
        public byte[] node(int level, long index) {
            return nodes.get(level + "/" + index);
        }
    }

    @Test
    void rootsAtEverySizeAreThoseOfTheCertificateTransparencyTestTree() {
        Log log = new Log(8);
        for (int size = 0; size <= 8; size++) {
            assertThat(HEX.formatHex(Merkle.root(log, size))).as("size " + size).isEqualTo(ROOTS[size]);
        }
        assertThat(HEX.formatHex(Merkle.leafHash("L123456".getBytes())))
                .isEqualTo("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
        assertThat(HEX.formatHex(Merkle.nodeHash("N123".getBytes(), "N456".getBytes())))
                .isEqualTo("aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb");
    }

    @Test
    void aCompactTreeKnowsTheSameRootsFromItsRightEdgeAlone() {
        CompactTree tree = new CompactTree();
        assertThat(HEX.formatHex(tree.root())).isEqualTo(ROOTS[0]);
        for (int i = 0; i < 8; i++) {
            tree.append(Merkle.leafHash(HEX.parseHex(LEAVES[i])));
            assertThat(HEX.formatHex(tree.root())).as("size " + (i + 1)).isEqualTo(ROOTS[i + 1]);
        }
        assertThat(tree.size()).isEqualTo(8);
    }

    @Test
    void inclusionProofsAreThePublishedOnesAndVerify() {
        Log log = new Log(8);
        assertInclusion(log, 0, 1, List.of());
        assertInclusion(log, 0, 8, List.of("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"));
        assertInclusion(log, 5, 8, List.of("bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"));
        assertInclusion(log, 2, 3, List.of("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"));
        assertInclusion(log, 1, 5, List.of("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"));
        for (int size = 1; size <= 8; size++) {
            for (int leaf = 0; leaf < size; leaf++) {
                assertThat(Merkle.verifyInclusion(leaf, size, log.node(0, leaf), Merkle.inclusionProof(log, leaf, size),
                        Merkle.root(log, size))).as(leaf + " in " + size).isTrue();
            }
        }
    }

    @Test
    void consistencyProofsAreThePublishedOnesAndVerifyBetweenEveryPairOfSizes() {
        Log log = new Log(8);
        assertConsistency(log, 1, 8, List.of("96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"));
        assertConsistency(log, 6, 8, List.of("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"));
        assertConsistency(log, 2, 5, List.of("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"));
        assertConsistency(log, 6, 7, List.of("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
                "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"));
        assertConsistency(log, 1, 1, List.of());
        for (int second = 1; second <= 8; second++) {
            for (int first = 1; first <= second; first++) {
                assertThat(Merkle.verifyConsistency(first, second, Merkle.root(log, first), Merkle.root(log, second),
                        Merkle.consistencyProof(log, first, second))).as(first + " -> " + second).isTrue();
            }
        }
    }

    @Test
    void corruptedProofsFailAsTransparencyDevsNegativeVectorsDo() {
        Log log = new Log(8);
        byte[] leaf5 = log.node(0, 5);
        byte[] root8 = Merkle.root(log, 8);
        List<byte[]> proof = Merkle.inclusionProof(log, 5, 8);
        assertThat(Merkle.verifyInclusion(4, 8, leaf5, proof, root8)).as("leafIdx sub 1").isFalse();
        assertThat(Merkle.verifyInclusion(6, 8, leaf5, proof, root8)).as("leafIdx plus 1").isFalse();
        assertThat(Merkle.verifyInclusion(5, 16, leaf5, proof, root8)).as("treeSize mul 2").isFalse();
        assertThat(Merkle.verifyInclusion(5, 4, leaf5, proof, root8)).as("treeSize div 2").isFalse();
        assertThat(Merkle.verifyInclusion(5, 8, log.node(0, 4), proof, root8)).as("wrong leaf").isFalse();
        assertThat(Merkle.verifyInclusion(5, 8, leaf5, proof, Merkle.emptyRoot())).as("empty root").isFalse();
        assertThat(Merkle.verifyInclusion(5, 8, leaf5, with(proof, proof.size(), new byte[0]), root8)).as("trailing garbage").isFalse();
        assertThat(Merkle.verifyInclusion(5, 8, leaf5, with(proof, proof.size(), root8), root8)).as("trailing root").isFalse();
        assertThat(Merkle.verifyInclusion(5, 8, leaf5, with(proof, 0, root8), root8)).as("preceding root").isFalse();
        assertThat(Merkle.verifyInclusion(5, 8, leaf5, proof.subList(0, 2), root8)).as("removed component").isFalse();
        List<byte[]> flipped = new ArrayList<>(proof);
        flipped.set(1, flipped.get(1).clone());
        flipped.get(1)[0] ^= 8;
        assertThat(Merkle.verifyInclusion(5, 8, leaf5, flipped, root8)).as("modified proof").isFalse();

        byte[] root6 = Merkle.root(log, 6);
        List<byte[]> consistency = Merkle.consistencyProof(log, 6, 8);
        assertThat(Merkle.verifyConsistency(6, 8, root8, root6, consistency)).as("swapped roots").isFalse();
        assertThat(Merkle.verifyConsistency(6, 8, root6, root8, List.of())).as("empty proof").isFalse();
        assertThat(Merkle.verifyConsistency(5, 8, root6, root8, consistency)).as("size1 sub 1").isFalse();
        assertThat(Merkle.verifyConsistency(7, 8, root6, root8, consistency)).as("size1 plus 1").isFalse();
        assertThat(Merkle.verifyConsistency(6, 16, root6, root8, consistency)).as("size2 mul 2").isFalse();
        assertThat(Merkle.verifyConsistency(6, 8, root6, root8, consistency.subList(0, 2))).as("truncated").isFalse();
        assertThat(Merkle.verifyConsistency(6, 8, root6, root8, with(consistency, 0, root6))).as("preceding root1").isFalse();
        assertThat(Merkle.verifyConsistency(0, 0, Merkle.emptyRoot(), Merkle.emptyRoot(), List.of())).as("from zero").isFalse();
        assertThat(Merkle.verifyConsistency(2, 1, root6, root6, List.of())).as("shrinking").isFalse();
        assertThat(Merkle.verifyConsistency(1, 1, Merkle.root(log, 1), root8, List.of())).as("equal sizes, other roots").isFalse();
    }

    private static void assertInclusion(Log log, long leaf, long size, List<String> expected) {
        List<byte[]> proof = Merkle.inclusionProof(log, leaf, size);
        assertThat(proof.stream().map(HEX::formatHex).toList()).as("PATH(%d, D[%d])", leaf, size).isEqualTo(expected);
        assertThat(Merkle.verifyInclusion(leaf, size, log.node(0, leaf), proof, HEX.parseHex(ROOTS[(int) size]))).isTrue();
    }

    private static void assertConsistency(Log log, long first, long second, List<String> expected) {
        List<byte[]> proof = Merkle.consistencyProof(log, first, second);
        assertThat(proof.stream().map(HEX::formatHex).toList()).as("PROOF(%d, D[%d])", first, second).isEqualTo(expected);
        assertThat(Merkle.verifyConsistency(first, second, HEX.parseHex(ROOTS[(int) first]), HEX.parseHex(ROOTS[(int) second]),
                proof)).isTrue();
    }

    private static List<byte[]> with(List<byte[]> proof, int at, byte[] extra) {
        List<byte[]> out = new ArrayList<>(proof);
        out.add(at, extra);
        return out;
    }
}
