"""warcio 1.8.1 + Google brotli>=1.1: warcio's br decompressor sets `decomp.unused_data = None` on a
brotli.Decompressor, which (a C type) has no such attribute -> AttributeError from content_stream().
Install a small adapter instead (brotli.Decompressor.process())."""
import brotli
from warcio.bufferedreaders import BufferedReader

class _BrotliDecomp:
    unused_data = b""
    def __init__(self):
        self._d = brotli.Decompressor()
    def decompress(self, data):
        return self._d.process(data)
    def flush(self):
        return b""

BufferedReader.DECOMPRESSORS["br"] = _BrotliDecomp
