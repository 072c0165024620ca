"""hikeshi (火消し): an incident-response workbench following JPCERT/CC and IPA guidance."""

__version__ = "0.1.0"
