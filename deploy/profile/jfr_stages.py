#!/usr/bin/env python3
# Share of busy JFR samples per pipeline stage (all threads, idle waits excluded).
# usage: SPARKSR_JAVA_OPTS="-XX:StartFlightRecording=filename=run.jfr,settings=profile" bin/sparksr upscale ...
#        python3 deploy/profile/jfr_stages.py run.jfr   (needs the JDK's jfr tool on the PATH)
import collections
import json
import subprocess
import sys

f = sys.argv[1]
d = json.loads(subprocess.check_output(['jfr', 'print', '--json', '--events', 'jdk.ExecutionSample,jdk.NativeMethodSample', f]))
IDLE = ('EPoll.wait', 'Unsafe.park', 'Object.wait', 'Thread.sleep', 'Net.poll', 'socketAccept', 'accept0', 'epollWait', 'ServerSocket', 'waitForReferencePendingList', 'Net.accept', 'FileDispatcherImpl.read0', 'readBytes')
STAGES = [  # first match wins, checked from the top frame down
    ('encode', ('PngBands', 'BandedPng', 'PNGImageWriter', 'Deflater', 'JPEGImageWriter', 'TIFFImageWriter', 'CRC32', 'Adler32')),
    ('decode', ('PNGImageReader', 'Inflater', 'JPEGImageReader', 'TIFFImageReader', 'PngReader')),
    ('pad', ('Tiles.pad',)),
    ('forward', ('nd4j', 'Nd4j', 'bytedeco', 'SrModel', 'samediff', 'SameDiff', 'IgConv', 'BicubicOperator', 'TileBatcher')),
    ('quantize', ('Quantized.of', 'Quantized.quantize')),
    ('stitch', ('QuantizedStitcher', 'Stitcher', 'Dihedral', 'Pixels.toImage', 'PngRows')),
    ('metadata', ('io.sparksr.io.metadata', 'io/sparksr/io/metadata', 'commons/imaging', 'xmp')),
    ('write', ('FileOutputStream', 'RandomAccessFile', 'AtomicFiles', 'FileChannel')),
    ('spark (serialize, shuffle, schedule)', ('spark', 'Kryo', 'ObjectOutputStream', 'ObjectInputStream', 'lz4', 'scala')),
    ('jvm (class loading, jit, gc)', ('ClassLoader', 'URLClassPath', 'ZipFile', 'java/lang/invoke')),
]
busy = collections.Counter(); total = 0
for e in d['recording']['events']:
    st = e['values'].get('stackTrace')
    if not st: continue
    names = [fr['method']['type']['name'] + '.' + fr['method']['name'] for fr in st['frames']]
    if any(i in names[0] for i in IDLE): continue
    total += 1
    lab = 'other'
    for n in names:
        for s, keys in STAGES:
            if any(k in n for k in keys):
                lab = s; break
        if lab != 'other': break
    busy[lab] += 1
print(f'busy samples {total}')
for k, v in busy.most_common(): print(f'| {k} | {100*v/total:.1f} % |')
