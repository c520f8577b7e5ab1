import { Aspects, TerraformStack, type IAspect } from 'cdktf';
import type { IConstruct } from 'constructs';
import { checkPolicies, type StackJson } from './policy-rules';

/**
 * Applies the policy rules at synth: every stack gets a validation that runs the rules on its
 * synthesized JSON, so a violation fails `cdktf synth` with a message naming the rule, the
 * resource and the fix.
 */
export class PolicyAspect implements IAspect {
  visit(node: IConstruct): void {
    if (!TerraformStack.isStack(node)) return;
    node.node.addValidation({
      validate: () => checkPolicies(node.toTerraform() as StackJson).map((v) => `policy ${v.rule}: ${v.resource}: ${v.message}`),
    });
  }
}

/** Adds the policy aspect to a scope (the app, or one stack in tests). */
export function enforcePolicies(scope: IConstruct): void {
  Aspects.of(scope).add(new PolicyAspect());
}
