"""How tdkt's values become Temporal payloads: the SDK's own JSON, byte for byte, written faster.

The SDK's encoder turns a dataclass into JSON through `dataclasses.asdict`, which deep-copies every
nested dict and list first. Inside the workflow sandbox, where each `isinstance` goes through the
sandbox's check, a tờ trình's activity input (100 awardees with their dossiers) took seconds on a
busy machine and tripped the SDK's deadlock detector (decision 0048). Here a dataclass is handed to
the JSON encoder field by field, and the encoder walks the dicts and lists itself, in C. The output
is the same bytes, so every client and worker, with or without this converter, reads what the
others write; decoding is the SDK's.
"""

import dataclasses
from typing import Any

from temporalio.converter import (
    AdvancedJSONEncoder,
    CompositePayloadConverter,
    DataConverter,
    DefaultPayloadConverter,
    JSONPlainPayloadConverter,
)


class ContractEncoder(AdvancedJSONEncoder):
    def default(self, o: Any) -> Any:
        if dataclasses.is_dataclass(o) and not isinstance(o, type):
            return {f.name: getattr(o, f.name) for f in dataclasses.fields(o)}
        return super().default(o)


class ContractPayloadConverter(CompositePayloadConverter):
    """The SDK's default converters, the JSON one with `ContractEncoder`."""

    def __init__(self) -> None:
        super().__init__(
            *(
                JSONPlainPayloadConverter(encoder=ContractEncoder) if isinstance(c, JSONPlainPayloadConverter) else c
                for c in DefaultPayloadConverter.default_encoding_payload_converters
            )
        )


DATA_CONVERTER = dataclasses.replace(DataConverter.default, payload_converter_class=ContractPayloadConverter)
