"""Things anchored to a passage of a source, besides codings: annotations (a note on a
passage), see-also links (a passage to another passage or a whole source) and summary links
(a phrase of a framework-matrix summary to the passage it rests on). Every anchor is a
(source_id, start, end) triple of code points; ``store.schema.ANCHORED_SPANS`` lists them."""
