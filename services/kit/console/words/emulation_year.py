"""Refusals met on the way from a khối's ranking to its decision (glossary: hội đồng, quyết định)."""

VI: dict[str, str] = {
    "refusal.NotReadyToConfer": "Chưa quyết định khen thưởng được: cấp này đề nghị và cũng là cấp quyết định,"
    " nên hội đồng của cấp này phải kết luận trước",
}

EN: dict[str, str] = {
    "refusal.NotReadyToConfer": "Cannot confer yet: this level proposed the award and confers it, so its own"
    " council must conclude first",
}
