//! Bedfordshire's rules in engines a force might pick instead of a WebAssembly plugin: Rego
//! (regorus, its interpreter and its bytecode VM), Rhai and CEL (the `cel` crate). Each policy is a
//! file under `benches/policies/`, parsed and prepared once; `evaluate` is what one decision costs:
//! the procurement converted to the engine's input, the evaluation, and the decision read back into
//! the host's `Decision`.

use std::sync::Arc;

use anyhow::{Context as _, anyhow, bail};
use bluelight_rules::{Decision, Finding, Outcome, Procurement, Route, Severity};

pub const REGO_POLICY: &str = include_str!("../policies/bedfordshire.rego");
pub const RHAI_POLICY: &str = include_str!("../policies/bedfordshire.rhai");
pub const CEL_POLICY: &str = include_str!("../policies/bedfordshire.cel");

/// The decision's parts as an engine returns them, before they are checked.
fn decision(outcome: &str, route: &str, findings: Vec<Finding>) -> anyhow::Result<Decision> {
    Ok(Decision {
        outcome: Outcome::parse(outcome).ok_or_else(|| anyhow!("unknown outcome {outcome:?}"))?,
        required_route: Some(Route::parse(route).ok_or_else(|| anyhow!("unknown route {route:?}"))?),
        findings,
    })
}

fn severity(text: &str) -> anyhow::Result<Severity> {
    Severity::parse(text).ok_or_else(|| anyhow!("unknown severity {text:?}"))
}

/// Rego, with Microsoft's regorus interpreter: the policy is parsed once; each evaluation sets the
/// input (the procurement as JSON) and evaluates `data.bedfordshire.decision`.
pub struct Rego {
    engine: regorus::Engine,
}

impl Rego {
    pub fn new() -> anyhow::Result<Rego> {
        let mut engine = regorus::Engine::new();
        engine
            .add_policy("bedfordshire.rego".into(), REGO_POLICY.into())
            .context("bedfordshire.rego")?;
        Ok(Rego { engine })
    }

    pub fn evaluate(&mut self, p: &Procurement) -> anyhow::Result<Decision> {
        self.engine.set_input(regorus_input(p)?);
        let out = self.engine.eval_rule(REGO_ENTRY_POINT.into())?;
        regorus_decision(&out)
    }
}

const REGO_ENTRY_POINT: &str = "data.bedfordshire.decision";

/// The same Rego policy compiled to bytecode for regorus's register-based virtual machine (RVM),
/// once; each evaluation sets the input and runs the program.
pub struct RegoVm {
    vm: regorus::rvm::RegoVM,
}

impl RegoVm {
    pub fn new() -> anyhow::Result<RegoVm> {
        let mut engine = regorus::Engine::new();
        engine
            .add_policy("bedfordshire.rego".into(), REGO_POLICY.into())
            .context("bedfordshire.rego")?;
        let compiled = engine.compile_with_entrypoint(&REGO_ENTRY_POINT.into())?;
        let program = regorus::languages::rego::compiler::Compiler::compile_from_policy(&compiled, &[REGO_ENTRY_POINT])
            .map_err(|e| anyhow!("bedfordshire.rego for the RVM: {e}"))?;
        let mut vm = regorus::rvm::RegoVM::new();
        vm.load_program(program);
        Ok(RegoVm { vm })
    }

    pub fn evaluate(&mut self, p: &Procurement) -> anyhow::Result<Decision> {
        self.vm.set_input(regorus_input(p)?);
        let out = self.vm.execute().map_err(|e| anyhow!("{e}"))?;
        regorus_decision(&out)
    }
}

/// The procurement as a regorus value, through JSON (as a service would pass it).
pub fn regorus_input(p: &Procurement) -> anyhow::Result<regorus::Value> {
    Ok(regorus::Value::from(serde_json::to_value(p)?))
}

fn regorus_decision(out: &regorus::Value) -> anyhow::Result<Decision> {
    let text = |v: &regorus::Value| -> anyhow::Result<String> { Ok(v.as_string()?.to_string()) };
    let findings = match &out["findings"] {
        regorus::Value::Set(set) => set.iter().collect::<Vec<_>>(),
        regorus::Value::Array(array) => array.iter().collect(),
        other => bail!("findings is not a set: {other:?}"),
    };
    let findings = findings
        .into_iter()
        .map(|f| {
            Ok(Finding {
                rule_id: text(&f["rule_id"])?,
                severity: severity(f["severity"].as_string()?)?,
                message: text(&f["message"])?,
                policy_clause: text(&f["policy_clause"])?,
                required_action: text(&f["required_action"])?,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    decision(
        out["outcome"].as_string()?,
        out["required_route"].as_string()?,
        findings,
    )
}

/// Rhai, an embedded scripting language for Rust: the script is compiled to an AST once; each
/// evaluation turns the procurement into a `Dynamic` object map (through serde) and calls the
/// script's `evaluate`, under an operation limit (Rhai's equivalent of fuel).
pub struct Rhai {
    engine: rhai::Engine,
    ast: rhai::AST,
}

impl Rhai {
    pub fn new() -> anyhow::Result<Rhai> {
        let mut engine = rhai::Engine::new();
        engine.set_max_operations(1_000_000);
        let ast = engine
            .compile(RHAI_POLICY)
            .map_err(|e| anyhow!("bedfordshire.rhai: {e}"))?;
        Ok(Rhai { engine, ast })
    }

    pub fn evaluate(&mut self, p: &Procurement) -> anyhow::Result<Decision> {
        let input = rhai::serde::to_dynamic(p).map_err(|e| anyhow!("{e}"))?;
        let options = rhai::CallFnOptions::new().eval_ast(false).rewind_scope(false);
        let out: rhai::Map = self
            .engine
            .call_fn_with_options(options, &mut rhai::Scope::new(), &self.ast, "evaluate", (input,))
            .map_err(|e| anyhow!("{e}"))?;
        let text = |m: &rhai::Map, key: &str| -> anyhow::Result<String> {
            m.get(key)
                .and_then(|v| v.clone().into_string().ok())
                .ok_or_else(|| anyhow!("{key} is not a string"))
        };
        let findings = out
            .get("findings")
            .and_then(|v| v.read_lock::<rhai::Array>())
            .ok_or_else(|| anyhow!("findings is not an array"))?
            .iter()
            .map(|f| {
                let f = f
                    .read_lock::<rhai::Map>()
                    .ok_or_else(|| anyhow!("a finding is not a map"))?;
                Ok(Finding {
                    rule_id: text(&f, "rule_id")?,
                    severity: severity(&text(&f, "severity")?)?,
                    message: text(&f, "message")?,
                    policy_clause: text(&f, "policy_clause")?,
                    required_action: text(&f, "required_action")?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        decision(&text(&out, "outcome")?, &text(&out, "required_route")?, findings)
    }
}

/// CEL (Common Expression Language), with the `cel` crate: the expression is parsed once; each
/// evaluation serialises the procurement into a CEL value, binds it as `input` in a child scope
/// of a prepared context (standard library, strings and lists extensions) and executes it.
pub struct Cel {
    program: cel::Program,
    context: cel::Context<'static, 'static>,
}

impl Cel {
    pub fn new() -> anyhow::Result<Cel> {
        let mut env = cel::Env::stdlib();
        env.add_extension(cel::extensions::strings)
            .map_err(|e| anyhow!("strings extension: {e:?}"))?;
        env.add_extension(cel::extensions::lists)
            .map_err(|e| anyhow!("lists extension: {e:?}"))?;
        let program = env.compile(CEL_POLICY).map_err(|e| anyhow!("bedfordshire.cel: {e}"))?;
        let context = cel::Context::with_env(Arc::new(env));
        Ok(Cel { program, context })
    }

    pub fn evaluate(&mut self, p: &Procurement) -> anyhow::Result<Decision> {
        let mut scope = self.context.new_inner_scope();
        scope.add_variable_from_value("input", cel::to_value(p)?);
        let out = self.program.execute(&scope).map_err(|e| anyhow!("{e}"))?;
        let cel::Value::Map(out) = out else {
            bail!("the result is not a map: {out:?}");
        };
        let get = |m: &cel::objects::Map, key: &str| -> anyhow::Result<cel::Value> {
            m.get(&cel::objects::KeyRef::String(key))
                .cloned()
                .ok_or_else(|| anyhow!("no {key}"))
        };
        let text = |m: &cel::objects::Map, key: &str| -> anyhow::Result<String> {
            match get(m, key)? {
                cel::Value::String(s) => Ok(s.to_string()),
                other => bail!("{key} is not a string: {other:?}"),
            }
        };
        let cel::Value::List(list) = get(&out, "findings")? else {
            bail!("findings is not a list");
        };
        let findings = list
            .iter()
            .map(|f| {
                let cel::Value::Map(f) = f else {
                    bail!("a finding is not a map");
                };
                Ok(Finding {
                    rule_id: text(f, "rule_id")?,
                    severity: severity(&text(f, "severity")?)?,
                    message: text(f, "message")?,
                    policy_clause: text(f, "policy_clause")?,
                    required_action: text(f, "required_action")?,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        decision(&text(&out, "outcome")?, &text(&out, "required_route")?, findings)
    }
}
