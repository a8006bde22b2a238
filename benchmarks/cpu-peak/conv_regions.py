#!/usr/bin/env python3
"""Per-region convolution time and share of the CPU's float32 peak, from oneDNN's log of `facenet benchmark`.

    ONEDNN_VERBOSE=1 facenet benchmark --weights weights.h5 --batch B --seconds S > verbose.log 2>&1
    python3 conv_regions.py verbose.log B PASSES PEAK_GFLOPS

Reads the last PASSES forward passes of the log (each: the stem's 3 convolutions per stem chunk of 8 images, then the
body's 129), and for each convolution keeps its fastest run over those passes: on a shared machine a run that was
preempted is slower, never faster, so the minimum is the kernel's own time. FLOP = 2 x N x Co x Ho x Wo x Ci x kH x kW
with the layer's own output channels (the zero channels PointwiseConvPadding adds are work oneDNN does, not the
network's). PEAK_GFLOPS comes from fma_peak.c (two threads).
"""
import re
import sys

STEM_CHUNK = 8
REGIONS = [("stem (conv2d_1a, 2a, 2b)", None), ("conv2d_3b, 4a, 4b", 3), ("5 x Block35", 35), ("Mixed_6a", 4),
           ("10 x Block17", 50), ("Mixed_7a", 7), ("6 x Block8", 30)]
PADDED = {96: 80, 960: 896, 1824: 1792}  # padded 1x1 output channels -> the layer's own
SHAPE = re.compile(r"mb(\d+)_ic(\d+)oc(\d+)_ih\d+oh(\d+)kh(\d+)sh\d+dh\d+ph\d+_iw\d+ow(\d+)kw(\d+)")


def main():
    log, batch, passes, peak = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    stem = 3 * -(-batch // STEM_CHUNK) if batch > STEM_CHUNK else 3
    per_pass = stem + 129
    convs = []
    for line in open(log, encoding="utf-8", errors="replace"):
        if "primitive,exec,cpu,convolution" not in line:
            continue
        fields = line.strip().split(",")
        mb, ic, oc, oh, kh, ow, kw = map(int, SHAPE.match(fields[-2]).groups())
        own = PADDED.get(oc, oc) if kh == 1 and kw == 1 else oc  # no unpadded 1x1 of the network has 96, 960 or 1824 outputs
        convs.append((float(fields[-1]), 2 * mb * own * oh * ow * ic * kh * kw, ic))
    convs = convs[-per_pass * passes:]
    if len(convs) < per_pass * passes or any(convs[k * per_pass][2] != 3 or convs[k * per_pass + stem][2] != 64 for k in range(passes)):
        sys.exit(f"{log}: the last {passes} passes are not whole passes of batch {batch}")
    fastest = [min(convs[k * per_pass + i][0] for k in range(passes)) for i in range(per_pass)]
    print(f"| region | GFLOP per pass | convolution time (ms) | GFLOP/s | share of {peak:.0f} GFLOP/s |")
    print("| --- | ---: | ---: | ---: | ---: |")
    start, total_ms, total_flop = 0, 0.0, 0
    for name, count in REGIONS:
        count = stem if count is None else count
        ms = sum(fastest[start:start + count])
        flop = sum(c[1] for c in convs[start:start + count])
        start += count
        total_ms += ms
        total_flop += flop
        print(f"| {name} | {flop / 1e9:.3f} | {ms:.2f} | {flop / 1e6 / ms:.0f} | {flop / 1e6 / ms / peak:.0%} |")
    print(f"| all convolutions | {total_flop / 1e9:.3f} | {total_ms:.2f} | {total_flop / 1e6 / total_ms:.0f} | {total_flop / 1e6 / total_ms / peak:.0%} |")


if __name__ == "__main__":
    main()
