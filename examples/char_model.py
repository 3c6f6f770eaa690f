"""A character-level language model that learns to write like plainnet's own
documentation.

    python examples/char_model.py [--epochs 8] [--out char_model.npz]
    python examples/char_model.py --quick        # a few epochs: a smoke test

The text is plainnet's docstrings (``plainnet.text.docstrings_text()``: every
module's, class's and function's, about 250 KB of English about neural
networks with its code examples), which every installation carries and which
is under the project's licence, MIT. The last 10% is held out to measure the
loss in bits per character.

The model is a small causal Transformer (``pn.layers.language_model``): an
``Embedding`` of the characters, learned positions, two pre-norm blocks of
multi-head attention and a GELU feed-forward layer, and a ``Dense`` to one
logit per character, about 430,000 weights in float32. It reads windows of
64 characters and learns, at every step, the next one. After training it
writes a few paragraphs from a prompt and saves itself with its tokenizer.
"""

import argparse
import time

import plainnet as pn
from plainnet import text

STEPS = 64  # characters of context


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="char_model.npz")
    parser.add_argument("--quick", action="store_true", help="2 epochs")
    args = parser.parse_args()
    epochs = 2 if args.quick else args.epochs

    corpus = text.docstrings_text()
    tokenizer = pn.CharTokenizer.from_text(corpus)
    ids = tokenizer.encode(corpus)
    split = int(0.9 * len(ids))
    X, y = text.windows(ids[:split], STEPS, stride=STEPS // 2)  # overlapping
    X_val, y_val = text.windows(ids[split:], STEPS)
    print(f"{len(corpus):,} characters, {len(tokenizer)} distinct; "
          f"{len(X):,} training windows of {STEPS}")  # fmt: skip

    net = pn.Sequential(
        pn.layers.language_model(len(tokenizer), STEPS),
        input_shape=(STEPS,),
        seed=args.seed,
        dtype="float32",
    )
    print(net.summary())
    updates = epochs * -(-len(X) // 32)
    schedule = pn.CosineDecay(3e-3, updates, warmup=100, final_lr=3e-4)
    start = time.perf_counter()

    def report(epoch: int, logs: dict) -> None:
        bits = text.bits_per_character(logs["val_loss"])
        seconds = time.perf_counter() - start
        print(f"epoch {epoch:2d}  validation {bits:.3f} bits/char  ({seconds:.0f} s)")

    net.fit(
        X,
        y,
        loss="cross_entropy",
        optimizer=pn.Adam(lr=schedule),
        epochs=epochs,
        batch_size=32,
        validation_data=(X_val, y_val),
        callbacks=[report],
    )
    for prompt in ("The network ", "Parameters\n----------\n"):
        print("\n" + pn.sample(net, tokenizer, prompt, 300, temperature=0.8, seed=0))
    text.save_char_model(net, tokenizer, args.out, metadata={"source": "docstrings"})
    print(f"\nsaved to {args.out}; write more with: plainnet write {args.out} 'The '")


if __name__ == "__main__":
    main()
