"""Test helpers shipped with the package itself.

They live inside ``jupyter_forge`` (not under ``tests/``) so that unit tests,
benchmarks and browser tests -- whose kernel runs in a separate process -- all
share one implementation, e.g. the scripted OpenAI-compatible model in
:mod:`jupyter_forge.testing.scripted_llm`.

Kept import-light on purpose: nothing is imported here, so importing the
package (or running ``python -m jupyter_forge.testing.scripted_llm``) pulls in
no more than the helper actually used.
"""
