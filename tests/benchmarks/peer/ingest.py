"""The peer's ingestion, in process from disk, as a LlamaIndex user writes it.

`python tests/benchmarks/peer/ingest.py FOLDER`, in the peer's virtualenv, reads every HTML
page of FOLDER with SimpleDirectoryReader and BeautifulSoup (the text of each page's body),
splits it with SentenceSplitter at askdocs' chunk size, embeds every chunk and inserts it into
PGVectorStore, then prints one line of JSON: the pages read and the seconds from the first
read to the last insert.
"""

from __future__ import annotations

import json
import sys
import time

from llama_index.core import SimpleDirectoryReader, StorageContext, VectorStoreIndex
from llama_index.readers.file import HTMLTagReader
from stack import HashingEmbedding, splitter, store


def main(folder: str) -> None:
    vector_store = store()
    started = time.perf_counter()
    reader = SimpleDirectoryReader(
        input_dir=folder,
        required_exts=[".html"],
        file_extractor={".html": HTMLTagReader(tag="body")},
    )
    documents = reader.load_data()
    VectorStoreIndex.from_documents(
        documents,
        storage_context=StorageContext.from_defaults(vector_store=vector_store),
        embed_model=HashingEmbedding(),
        transformations=[splitter()],
    )
    seconds = time.perf_counter() - started
    print(json.dumps({"pages": len(documents), "seconds": seconds}))


if __name__ == "__main__":
    main(sys.argv[1])
