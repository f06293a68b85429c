#!/usr/bin/env python3
"""mkhostile.py ADDRESS CANARY [LAYOUT]: build rl's hostile test images and
push them with skopeo to the plain-HTTP test registry at ADDRESS (as
start.sh prints it: 127.0.0.1:PORT), as ADDRESS/rl-hostile/NAME:latest.

Each image is the busybox root filesystem (tests/mkrootfs.sh) as its first
layer and then layers or a config written to break out of the image store:
entries that climb out with ../ or name absolute paths, symlinks followed by
files written through them, hard links to host files, device nodes, setuid
files, ids beyond any mapping, whiteouts in odd places, 100,000 entries,
directories nested 1999 deep, and
configs with a 1 MB Env, a User of "../../etc" and a WorkingDir through a
symlink out of the root. Every path they aim at on the host lies in CANARY,
an absolute directory that the caller watches (tests/hostile.bats); the
device nodes name the device that holds CANARY.

The tars are written entry by entry with the tarfile module, so that the
headers say exactly what a hostile registry would serve (a docker or GNU tar
would clean the names). Layers are reproducible (fixed mtimes, numeric
owners, gzip without a name or time). The layout goes to a temporary
directory, or to LAYOUT when given (kept). Prints "REF DIGEST" per image.

Standard library only (Debian's python3); needs skopeo; no root.
"""

import gzip
import hashlib
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile

EPOCH = int(os.environ.get("SOURCE_DATE_EPOCH", "1704067200"))
CREATED = "2024-01-01T00:00:00Z"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
ARCHES = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "armv6l": "arm",
          "i686": "386", "i386": "386", "ppc64le": "ppc64le", "s390x": "s390x",
          "riscv64": "riscv64"}
UP = "../" * 16  # more than any store is deep: climbs to / from anywhere


def die(msg):
    print("mkhostile.py: " + msg, file=sys.stderr)
    sys.exit(1)


class Layer:
    """One layer's tar, built entry by entry in memory."""

    def __init__(self):
        self.buf = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buf, mode="w", format=tarfile.GNU_FORMAT)

    def _info(self, name, kind, mode, uid, gid):
        ti = tarfile.TarInfo(name)
        ti.type, ti.mode, ti.uid, ti.gid, ti.mtime = kind, mode, uid, gid, EPOCH
        ti.uname = ti.gname = ""
        return ti

    def file(self, name, data=b"", mode=0o644, uid=0, gid=0):
        ti = self._info(name, tarfile.REGTYPE, mode, uid, gid)
        ti.size = len(data)
        self.tar.addfile(ti, io.BytesIO(data))

    def dir(self, name, mode=0o755, uid=0, gid=0):
        self.tar.addfile(self._info(name, tarfile.DIRTYPE, mode, uid, gid))

    def symlink(self, name, target):
        ti = self._info(name, tarfile.SYMTYPE, 0o777, 0, 0)
        ti.linkname = target
        self.tar.addfile(ti)

    def hardlink(self, name, target):
        ti = self._info(name, tarfile.LNKTYPE, 0o644, 0, 0)
        ti.linkname = target
        self.tar.addfile(ti)

    def device(self, name, kind, major, minor):
        ti = self._info(name, kind, 0o666, 0, 0)
        ti.devmajor, ti.devminor = major, minor
        self.tar.addfile(ti)

    def tree(self, root):
        """Add the directory root's contents, owned by 0:0, sorted."""
        entries = []
        for top, dirs, files in os.walk(root):
            for n in dirs + files:
                entries.append(os.path.join(top, n))
        for path in sorted(entries, key=lambda p: os.fsencode(p)):
            ti = self.tar.gettarinfo(path, os.path.relpath(path, root))
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ""
            ti.mtime = EPOCH
            if ti.isreg():
                with open(path, "rb") as f:
                    self.tar.addfile(ti, f)
            else:
                self.tar.addfile(ti)

    def close(self):
        self.tar.close()
        return self.buf.getvalue()


class Layout:
    """An OCI image layout being filled with blobs and named manifests."""

    def __init__(self, path):
        self.path = path
        os.makedirs(os.path.join(path, "blobs", "sha256"), exist_ok=True)
        with open(os.path.join(path, "oci-layout"), "w") as f:
            f.write('{"imageLayoutVersion":"1.0.0"}\n')
        self.manifests = []
        self.layer_cache = {}

    def blob(self, data):
        hexd = hashlib.sha256(data).hexdigest()
        with open(os.path.join(self.path, "blobs", "sha256", hexd), "wb") as f:
            f.write(data)
        return {"digest": "sha256:" + hexd, "size": len(data)}

    def layer(self, tar):
        key = hashlib.sha256(tar).hexdigest()
        if key not in self.layer_cache:
            gz = gzip.compress(tar, compresslevel=6, mtime=0)
            d = self.blob(gz)
            d["mediaType"] = "application/vnd.oci.image.layer.v1.tar+gzip"
            self.layer_cache[key] = (d, "sha256:" + key)
        return self.layer_cache[key]

    def image(self, name, tars, runtime):
        layers = [self.layer(t) for t in tars]
        config = {
            "created": CREATED, "architecture": ARCHES.get(platform.machine(), platform.machine()),
            "os": "linux", "config": runtime,
            "rootfs": {"type": "layers", "diff_ids": [diff for _, diff in layers]},
            "history": [{"created": CREATED, "created_by": "tests/registry/mkhostile.py " + name}
                        for _ in layers],
        }
        c = self.blob(json.dumps(config, separators=(",", ":")).encode())
        c["mediaType"] = "application/vnd.oci.image.config.v1+json"
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": c, "layers": [d for d, _ in layers]}
        m = self.blob(json.dumps(manifest, separators=(",", ":")).encode())
        m["mediaType"] = "application/vnd.oci.image.manifest.v1+json"
        m["annotations"] = {"org.opencontainers.image.ref.name": name}
        self.manifests.append(m)

    def finish(self):
        with open(os.path.join(self.path, "index.json"), "w") as f:
            json.dump({"schemaVersion": 2, "manifests": self.manifests}, f)


def runtime(**extra):
    r = {"Env": [PATH_ENV], "Cmd": ["sh"], "WorkingDir": "/"}
    r.update(extra)
    return r


def build(layout, busybox, canary):
    rel = canary.lstrip("/")  # canary below a directory that climbed to /
    base = Layer()
    base.tree(busybox)
    base = base.close()

    def one(fill):
        layer = Layer()
        fill(layer)
        return layer.close()

    # Entries that climb out of the layer, and absolute names.
    layout.image("dotdot", [base, one(lambda l: (
        l.file(UP + rel + "/dotdot", b"escaped\n"),
        l.file("etc/" + UP + rel + "/dotdot-etc", b"escaped\n"),
        l.file("./../dotdot-parent", b"escaped\n"),
    ))], runtime())
    layout.image("absolute", [base, one(lambda l: (
        l.file(canary + "/absolute", b"escaped\n"),
        l.dir(canary + "/absolute-dir"),
    ))], runtime())

    # Symlinks out of the root, then files written through them: in a later
    # layer, and in the same layer.
    links = one(lambda l: (
        l.symlink("to-root", "/"),
        l.symlink("to-canary", canary),
        l.symlink("to-up", UP.rstrip("/")),
        l.symlink("etc/to-up-rel", "../../../../../../../.."),
    ))
    layout.image("symlink", [base, links, one(lambda l: (
        l.file("to-root/" + rel + "/via-root-link", b"escaped\n"),
        l.file("to-canary/via-canary-link", b"escaped\n"),
        l.file("to-up/" + rel + "/via-up-link", b"escaped\n"),
        l.file("etc/to-up-rel/" + rel + "/via-rel-link", b"escaped\n"),
    ))], runtime())
    layout.image("symlink-same-layer", [base, one(lambda l: (
        l.symlink("to-canary", canary),
        l.file("to-canary/same-layer", b"escaped\n"),
        l.symlink("to-up", UP.rstrip("/")),
        l.file("to-up/" + rel + "/same-layer-up", b"escaped\n"),
    ))], runtime())

    # Hard links to files outside the layer.
    layout.image("hardlink", [base, one(lambda l: (
        l.hardlink("hl-abs", canary + "/secret"),
        l.hardlink("hl-rel", UP + rel + "/secret"),
    ))], runtime())
    layout.image("hardlink-via-symlink", [base, links, one(lambda l: (
        l.hardlink("hl-via-link", "to-canary/secret"),
    ))], runtime())

    # Device nodes: the disk that holds the canary, /dev/mem, a null.
    st = os.stat(canary)
    layout.image("devices", [base, one(lambda l: (
        l.dir("devs"),
        l.device("devs/disk", tarfile.BLKTYPE, os.major(st.st_dev), os.minor(st.st_dev)),
        l.device("devs/sda", tarfile.BLKTYPE, 8, 0),
        l.device("devs/mem", tarfile.CHRTYPE, 1, 1),
        l.device("devs/null", tarfile.CHRTYPE, 1, 3),
    ))], runtime())

    # setuid and setgid files: root's, and another user's.
    with open(os.path.join(busybox, "bin", "busybox"), "rb") as f:
        bb = f.read()
    layout.image("setuid", [base, one(lambda l: (
        l.dir("suid"),
        l.file("suid/root-busybox", bb, mode=0o6755),
        l.file("suid/root-script", b"#!/bin/sh\nid\n", mode=0o4755),
        l.file("suid/user-script", b"#!/bin/sh\nid\n", mode=0o6755, uid=1000, gid=1000),
        l.dir("suid/sgid-dir", mode=0o2777),
    ))], runtime())

    # Owners beyond a 65536-id range, and the largest valid id.
    layout.image("uid70000", [base, one(lambda l: (
        l.file("ids/u70000", b"70000\n", uid=70000, gid=70000),
    ))], runtime())
    layout.image("uidmax", [base, one(lambda l: (
        l.file("ids/u4294967294", b"4294967294\n", uid=4294967294, gid=4294967294),
    ))], runtime())

    # Whiteouts in odd places: of "." and "..", a directory named .wh.,
    # opaque markers at the root and below a file, and whiteouts that
    # climb to the canary.
    layout.image("whiteout-dots", [base, one(lambda l: (
        l.file(".wh.."),
        l.file("etc/.wh.."),
        l.file("etc/.wh..."),
    ))], runtime())
    layout.image("whiteout-dir", [base, one(lambda l: (
        l.dir(".wh."),
        l.file(".wh./etc", b"not a whiteout\n"),
    ))], runtime())
    layout.image("whiteout-opaque", [base, one(lambda l: (
        l.file(".wh..wh..opq"),
        l.file("bin/busybox/.wh..wh..opq"),
        l.file("etc/.wh..wh..opq/x"),
    ))], runtime())
    layout.image("whiteout-escape", [base, one(lambda l: (
        l.file(UP + rel + "/.wh.victim"),
        l.file(canary + "/.wh.victim2"),
    ))], runtime())
    layout.image("whiteout-through-symlink", [base, links, one(lambda l: (
        l.file("to-canary/.wh.victim"),
        l.file("to-canary/.wh..wh..opq"),
    ))], runtime())

    # 100,000 entries: 100 directories of 999 empty files each.
    def many(l):
        for d in range(100):
            l.dir("many/%02d" % d)
            for f in range(999):
                l.file("many/%02d/%03d" % (d, f))
    layout.image("many", [base, one(many)], runtime())

    # Directories nested 1999 deep (a 40 KB layer that storage's untar
    # would take minutes over), and 200 deep, which a real image may be.
    def nested(depth):
        def fill(l):
            for d in range(1, depth + 1):
                l.dir("/".join(["d"] * d))
            l.file("/".join(["d"] * depth) + "/bottom", b"bottom\n")
        return fill
    layout.image("deep", [base, one(nested(1999))], runtime())
    layout.image("deep200", [base, one(nested(200))], runtime())

    # Configs: a 1 MB Env, a User that climbs, a WorkingDir through a
    # symlink out of the root (absolute, and relative).
    layout.image("bigenv", [base], runtime(Env=[PATH_ENV, "BIG=" + "x" * (1 << 20)]))
    layout.image("baduser", [base], runtime(User="../../etc"))
    layout.image("workdir-abs", [base, one(lambda l: (
        l.symlink("wd", canary),
    ))], runtime(WorkingDir="/wd/made-by-workdir"))
    layout.image("workdir-rel", [base, one(lambda l: (
        l.symlink("wd", UP + rel),
    ))], runtime(WorkingDir="/wd/made-by-workdir"))


def main():
    if len(sys.argv) not in (3, 4):
        die("usage: mkhostile.py ADDRESS CANARY [LAYOUT]")
    address, canary = sys.argv[1], sys.argv[2]
    host = address.rsplit(":", 1)[0]
    # The registry is plain HTTP and TLS checks are off: loopback only.
    if not (host.startswith("127.") or host in ("localhost", "[::1]")):
        die(address + " is not a loopback address; this script pushes only to a local test registry")
    if not os.path.isabs(canary) or not os.path.isdir(canary):
        die(canary + " is not an absolute path of a directory")
    if shutil.which("skopeo") is None:
        die("skopeo is missing: apt-get install skopeo")
    here = os.path.dirname(os.path.abspath(__file__))
    os.umask(0o022)
    with tempfile.TemporaryDirectory(prefix="rl-mkhostile.") as work:
        path = sys.argv[3] if len(sys.argv) == 4 else os.path.join(work, "layout")
        busybox = os.path.join(work, "busybox")
        subprocess.run([os.path.join(here, "..", "mkrootfs.sh"), busybox], check=True,
                       stdout=subprocess.DEVNULL)
        layout = Layout(path)
        build(layout, busybox, os.path.normpath(canary))
        layout.finish()
        digestfile = os.path.join(work, "pushed")
        for m in layout.manifests:
            name = m["annotations"]["org.opencontainers.image.ref.name"]
            ref = "%s/rl-hostile/%s:latest" % (address, name)
            # --insecure-policy: our own unsigned images; --preserve-digests:
            # fail rather than let skopeo rewrite a manifest.
            subprocess.run(["skopeo", "--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false",
                            "--preserve-digests", "--digestfile", digestfile,
                            "oci:%s:%s" % (path, name), "docker://" + ref], check=True)
            with open(digestfile) as f:
                pushed = f.read().strip()
            if pushed != m["digest"]:
                die("pushed %s as %s, built %s" % (name, pushed, m["digest"]))
            print(ref, m["digest"])


if __name__ == "__main__":
    main()
