# Prints, as JSON, the compression codecs this kafka-python can use (gzip is built in; the others need
# their Python packages).
import json

from kafka import codec

available = ['none', 'gzip']
if codec.has_snappy():
    available.append('snappy')
if codec.has_lz4():
    available.append('lz4')
if hasattr(codec, 'has_zstd') and codec.has_zstd():
    available.append('zstd')
print(json.dumps(available))
