//! Why a plugin was refused or an evaluation stopped. Each cause has a stable code the API shows
//! to the tenant, so a force's developer knows what to fix.

/// Whose fault a failure is decides how the API answers: a plugin that is not acceptable, a
/// plugin that misbehaved while running, or a host that is momentarily out of capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// The uploaded bytes are not an acceptable plugin.
    Rejected,
    /// The plugin ran and broke a limit or the interface contract.
    Misbehaved,
    /// The input given to the plugin is over a limit.
    InputRefused,
    /// The host has no capacity right now; retrying later may succeed.
    Busy,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum PluginError {
    #[error("the plugin is {size} bytes; the limit is {limit}")]
    TooLarge { size: usize, limit: usize },
    #[error("not a WebAssembly component: {0}")]
    NotAComponent(String),
    #[error("the component does not implement bluelight:rules@1.0.0: {0}")]
    WrongInterface(String),
    #[error("the component imports {0}; a rule plugin may import nothing (no clock, files, network or environment)")]
    ForbiddenImport(String),
    #[error("the plugin's fixtures cannot be read: {0}")]
    InvalidFixtures(String),
    #[error("the plugin needs more than a sandbox gives one plugin: {0}")]
    OverSandboxLimits(String),
    #[error("the plugin used its whole instruction budget ({fuel} fuel units); it may loop without end")]
    FuelExhausted { fuel: u64 },
    #[error("the plugin did not finish within {millis} ms")]
    DeadlineExceeded { millis: u128 },
    #[error("the plugin tried to grow its memory past the {limit} byte limit")]
    MemoryExhausted { limit: usize },
    #[error("the plugin overflowed its call stack (unbounded recursion?)")]
    StackOverflow,
    #[error("the plugin trapped: {0}")]
    Trapped(String),
    #[error("the plugin's output is {size} bytes of text; the limit is {limit}")]
    OutputTooLarge { size: usize, limit: usize },
    #[error(
        "the plugin's output is over {limit} bytes as copied out of its memory; it was refused before it was copied"
    )]
    OutputTooLargeToCopy { limit: usize },
    #[error("the plugin returned {count} findings; the limit is {limit}")]
    TooManyFindings { count: usize, limit: usize },
    #[error("the plugin's decision is inconsistent: {0}")]
    InconsistentDecision(String),
    #[error("the procurement is {size} bytes as plugin input; the limit is {limit}")]
    InputTooLarge { size: usize, limit: usize },
    #[error("the plugin did not compile within {millis} ms; make it smaller or simpler")]
    CompileDeadlineExceeded { millis: u128 },
    #[error("every plugin sandbox is in use; retry shortly")]
    Busy,
    #[error("the plugin compiler is busy with other plugins; retry shortly")]
    CompilerBusy,
}

impl PluginError {
    /// Stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            PluginError::TooLarge { .. } => "plugin_too_large",
            PluginError::NotAComponent(_) => "plugin_not_a_component",
            PluginError::WrongInterface(_) => "plugin_wrong_interface",
            PluginError::ForbiddenImport(_) => "plugin_forbidden_import",
            PluginError::InvalidFixtures(_) => "plugin_invalid_fixtures",
            PluginError::OverSandboxLimits(_) => "plugin_over_sandbox_limits",
            PluginError::FuelExhausted { .. } => "plugin_fuel_exhausted",
            PluginError::DeadlineExceeded { .. } => "plugin_deadline_exceeded",
            PluginError::MemoryExhausted { .. } => "plugin_memory_exhausted",
            PluginError::StackOverflow => "plugin_stack_overflow",
            PluginError::Trapped(_) => "plugin_trapped",
            PluginError::OutputTooLarge { .. } | PluginError::OutputTooLargeToCopy { .. } => "plugin_output_too_large",
            PluginError::TooManyFindings { .. } => "plugin_too_many_findings",
            PluginError::InconsistentDecision(_) => "plugin_inconsistent_decision",
            PluginError::InputTooLarge { .. } => "plugin_input_too_large",
            PluginError::CompileDeadlineExceeded { .. } => "plugin_compile_deadline_exceeded",
            PluginError::Busy => "plugin_sandbox_busy",
            PluginError::CompilerBusy => "plugin_compiler_busy",
        }
    }

    pub fn kind(&self) -> FailureKind {
        match self {
            PluginError::TooLarge { .. }
            | PluginError::NotAComponent(_)
            | PluginError::WrongInterface(_)
            | PluginError::ForbiddenImport(_)
            | PluginError::InvalidFixtures(_)
            | PluginError::OverSandboxLimits(_)
            | PluginError::CompileDeadlineExceeded { .. } => FailureKind::Rejected,
            PluginError::InputTooLarge { .. } => FailureKind::InputRefused,
            PluginError::Busy | PluginError::CompilerBusy => FailureKind::Busy,
            _ => FailureKind::Misbehaved,
        }
    }
}
