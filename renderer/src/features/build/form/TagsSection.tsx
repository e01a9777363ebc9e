import { Fragment } from 'react';
import { checkTagReference } from '../../../../../shared/domain/build-request/reference';
import type { BuildForm } from '../use-build-form';
import { FieldProblems } from './FieldProblems';

/** The tags, each checked as Docker reads an image reference while it is typed. */
export function TagsSection({ form }: { form: BuildForm }) {
  const { draft, set, problems } = form;
  return (
    <>
      <h2>Tags</h2>
      <div className="tag-rows">
        {draft.tags.map((tag, i) => {
          const check = tag.trim() ? checkTagReference(tag) : undefined;
          return (
            <Fragment key={i}>
              <div className="row nowrap">
                <input
                  className="grow"
                  data-testid={`build-tag-${i}`}
                  placeholder="registry.example.com/team/app:1.0"
                  value={tag}
                  aria-invalid={check && !check.ok ? true : undefined}
                  onChange={(e) => set({ tags: draft.tags.map((t, j) => (j === i ? e.target.value : t)) })}
                  spellCheck={false}
                />
                <button type="button" aria-label="Remove tag" onClick={() => set({ tags: draft.tags.length > 1 ? draft.tags.filter((_, j) => j !== i) : [''] })}>
                  −
                </button>
              </div>
              {/* under the field, so the field keeps its width while the user types */}
              {check && !check.ok && <p className="field-problem err">{check.reason}</p>}
            </Fragment>
          );
        })}
        <button type="button" onClick={() => set({ tags: [...draft.tags, ''] })}>
          Add a tag
        </button>
        <FieldProblems problems={problems} field="tags" />
      </div>
    </>
  );
}
