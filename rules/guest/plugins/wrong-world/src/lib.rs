//! A test-only component of another world (`test:other/other@1.0.0`): it exports an `evaluate`
//! that takes and returns a string, so a host that checked only export names could be fooled.
//! The host must refuse it as not being of the `bluelight:rules/rule-plugin` world.

wit_bindgen::generate!({
    path: "wit",
    world: "test:other/other@1.0.0",
});

struct Other;

impl Guest for Other {
    fn evaluate(input: String) -> String {
        format!("not a rule plugin: {input}")
    }
}

export!(Other);
