"""A stand-in for ffmpeg in the tests: converts a WAV on stdin to WAV mono 16-bit 8 kHz on stdout.

It accepts only the arguments Home Assistant's text-to-speech passes when asked
for sipgate's format (``-f wav -ar 8000 -ac 1 -sample_fmt s16``) and, like
ffmpeg writing to a pipe, leaves the sizes in the WAV header unknown.
"""

from pathlib import Path
import struct
import sys

sys.path.insert(0, str(Path(__file__).parent.parent))
from custom_components.sipgate.api.wav import to_sipgate_wav


def main(args: list[str]) -> int:
    """Convert stdin to stdout; exit 1 (as ffmpeg does) on arguments it was not meant to get."""
    wanted = ["-f", "wav", "-ar", "8000", "-ac", "1", "-sample_fmt", "s16"]
    output = args[args.index("pipe:0") + 1 :] if "pipe:0" in args else []
    if [a for a in output if a not in ("-fflags", "+bitexact", "pipe:1")] != wanted:
        sys.stderr.write(f"unexpected arguments: {args}\n")
        return 1
    audio = to_sipgate_wav(sys.stdin.buffer.read()).data
    streamed = (
        audio[:4] + struct.pack("<I", 0xFFFFFFFF) + audio[8:40] + struct.pack("<I", 0xFFFFFFFF) + audio[44:]
    )
    sys.stdout.buffer.write(streamed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
